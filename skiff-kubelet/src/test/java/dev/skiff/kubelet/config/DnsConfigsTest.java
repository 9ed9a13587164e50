package dev.skiff.kubelet.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.config.DnsConfigs.ResolvConf;
import dev.skiff.kubelet.cri.v1.DNSConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DnsConfigsTest {
  private static final ResolvConf HOST =
      ResolvConf.parse(
          """
          # host resolver
          nameserver 192.168.1.1
          nameserver 192.168.1.2
          search old.example
          search corp.example. lab.example .
          options timeout:2 ndots:1
          options timeout:3
          ; comment
          """);
  private static final DnsConfigs DNS =
      new DnsConfigs(List.of("10.43.0.10"), "cluster.local", HOST);

  private static Pod pod(String policy, boolean hostNetwork, PodDNSConfig config) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withNamespace("shop")
        .endMetadata()
        .withNewSpec()
        .withDnsPolicy(policy)
        .withHostNetwork(hostNetwork)
        .withDnsConfig(config)
        .endSpec()
        .build();
  }

  @Test
  void parsesResolvConfAsKubernetes() {
    assertThat(HOST.servers()).containsExactly("192.168.1.1", "192.168.1.2");
    assertThat(HOST.searches()).containsExactly("corp.example", "lab.example");
    assertThat(HOST.options()).containsExactly("timeout:3", "ndots:1");
  }

  record Case(
      String name,
      String policy,
      boolean hostNetwork,
      List<String> servers,
      List<String> searches,
      List<String> options) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<String> CLUSTER_SEARCHES =
      List.of(
          "shop.svc.cluster.local",
          "svc.cluster.local",
          "cluster.local",
          "corp.example",
          "lab.example");

  static Stream<Case> policies() {
    return Stream.of(
        new Case(
            "ClusterFirst",
            "ClusterFirst",
            false,
            List.of("10.43.0.10"),
            CLUSTER_SEARCHES,
            List.of("ndots:5")),
        new Case(
            "unset policy is ClusterFirst",
            null,
            false,
            List.of("10.43.0.10"),
            CLUSTER_SEARCHES,
            List.of("ndots:5")),
        new Case(
            "ClusterFirst with hostNetwork uses the host",
            "ClusterFirst",
            true,
            HOST.servers(),
            HOST.searches(),
            HOST.options()),
        new Case(
            "ClusterFirstWithHostNet",
            "ClusterFirstWithHostNet",
            true,
            List.of("10.43.0.10"),
            CLUSTER_SEARCHES,
            List.of("ndots:5")),
        new Case("Default", "Default", false, HOST.servers(), HOST.searches(), HOST.options()),
        new Case("None", "None", false, List.of(), List.of(), List.of()));
  }

  @ParameterizedTest
  @MethodSource("policies")
  void perPolicy(Case c) {
    DNSConfig dns = DNS.forPod(pod(c.policy(), c.hostNetwork(), null));

    assertThat(dns.getServersList()).containsExactlyElementsOf(c.servers());
    assertThat(dns.getSearchesList()).containsExactlyElementsOf(c.searches());
    assertThat(dns.getOptionsList()).containsExactlyElementsOf(c.options());
  }

  @Test
  void dnsConfigIsAppendedAndOptionsMergedByName() {
    PodDNSConfig config =
        new PodDNSConfigBuilder()
            .withNameservers("1.1.1.1", "10.43.0.10")
            .withSearches("extra.example", "svc.cluster.local")
            .addNewOption()
            .withName("ndots")
            .withValue("2")
            .endOption()
            .addNewOption()
            .withName("edns0")
            .endOption()
            .build();

    DNSConfig dns = DNS.forPod(pod("ClusterFirst", false, config));

    assertThat(dns.getServersList()).containsExactly("10.43.0.10", "1.1.1.1");
    assertThat(dns.getSearchesList())
        .containsExactly(
            "shop.svc.cluster.local",
            "svc.cluster.local",
            "cluster.local",
            "corp.example",
            "lab.example",
            "extra.example");
    assertThat(dns.getOptionsList()).containsExactly("ndots:2", "edns0");
  }

  @Test
  void noneTakesOnlyDnsConfig() {
    PodDNSConfig config =
        new PodDNSConfigBuilder()
            .withNameservers("9.9.9.9")
            .withSearches("a.example")
            .addNewOption()
            .withName("ndots")
            .withValue("3")
            .endOption()
            .build();

    DNSConfig dns = DNS.forPod(pod("None", false, config));

    assertThat(dns.getServersList()).containsExactly("9.9.9.9");
    assertThat(dns.getSearchesList()).containsExactly("a.example");
    assertThat(dns.getOptionsList()).containsExactly("ndots:3");
  }

  @Test
  void withoutClusterDnsClusterFirstFallsBackToTheHost() {
    DNSConfig dns =
        new DnsConfigs(List.of(), "cluster.local", HOST).forPod(pod("ClusterFirst", false, null));

    assertThat(dns.getServersList()).containsExactlyElementsOf(HOST.servers());
  }

  @Test
  void limitsServersToThreeAndSearchesToResolverLimits() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add("d" + i + ".example");
    }
    many.add("x".repeat(254));
    PodDNSConfig config =
        new PodDNSConfigBuilder()
            .withNameservers("1.1.1.1", "2.2.2.2", "3.3.3.3")
            .withSearches(many)
            .build();

    DNSConfig dns = DNS.forPod(pod("ClusterFirst", false, config));

    assertThat(dns.getServersList()).containsExactly("10.43.0.10", "1.1.1.1", "2.2.2.2");
    assertThat(dns.getSearchesList()).hasSize(32).startsWith("shop.svc.cluster.local");

    List<String> longNames = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      longNames.add(i + "y".repeat(200));
    }
    List<String> fitted = DnsConfigs.fitSearches(longNames);
    assertThat(String.join(" ", fitted).length()).isLessThanOrEqualTo(2048);
    assertThat(fitted).hasSize(10).containsExactlyElementsOf(longNames.subList(0, 10));
  }
}
