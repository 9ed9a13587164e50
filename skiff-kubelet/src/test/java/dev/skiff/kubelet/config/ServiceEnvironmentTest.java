package dev.skiff.kubelet.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceEnvironmentTest {
  private static Service service(String ns, String name, String clusterIp, ServicePort... ports) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withClusterIP(clusterIp)
        .withPorts(ports)
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int port, String protocol) {
    return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
  }

  private static final Service KUBERNETES =
      service("default", "kubernetes", "10.43.0.1", port("https", 443, "TCP"));

  @Test
  void variablesOfOneServiceWithNamedPorts() {
    Service redis =
        service(
            "shop", "redis-main", "10.43.5.6", port("", 6379, null), port("metrics", 9121, "UDP"));

    assertThat(ServiceEnvironment.fromService(redis))
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("REDIS_MAIN_SERVICE_HOST", "10.43.5.6"),
                Map.entry("REDIS_MAIN_SERVICE_PORT", "6379"),
                Map.entry("REDIS_MAIN_SERVICE_PORT_METRICS", "9121"),
                Map.entry("REDIS_MAIN_PORT", "tcp://10.43.5.6:6379"),
                Map.entry("REDIS_MAIN_PORT_6379_TCP", "tcp://10.43.5.6:6379"),
                Map.entry("REDIS_MAIN_PORT_6379_TCP_PROTO", "tcp"),
                Map.entry("REDIS_MAIN_PORT_6379_TCP_PORT", "6379"),
                Map.entry("REDIS_MAIN_PORT_6379_TCP_ADDR", "10.43.5.6"),
                Map.entry("REDIS_MAIN_PORT_9121_UDP", "udp://10.43.5.6:9121"),
                Map.entry("REDIS_MAIN_PORT_9121_UDP_PROTO", "udp"),
                Map.entry("REDIS_MAIN_PORT_9121_UDP_PORT", "9121"),
                Map.entry("REDIS_MAIN_PORT_9121_UDP_ADDR", "10.43.5.6")));
  }

  @Test
  void ipv6ClusterIpIsBracketedInUrls() {
    Map<String, String> env =
        ServiceEnvironment.fromService(service("a", "v6", "fd00::10", port("web", 80, "TCP")));

    assertThat(env)
        .containsEntry("V6_SERVICE_HOST", "fd00::10")
        .containsEntry("V6_PORT", "tcp://[fd00::10]:80")
        .containsEntry("V6_PORT_80_TCP_ADDR", "fd00::10");
  }

  @Test
  void namespaceServicesWithClusterIpPlusKubernetes() {
    List<Service> shop =
        List.of(
            service("shop", "web", "10.43.1.1", port("http", 80, "TCP")),
            service("shop", "headless", "None", port("http", 80, "TCP")),
            service("shop", "external", "", port("http", 80, "TCP")));

    Map<String, String> env = ServiceEnvironment.forPod("shop", true, shop, List.of(KUBERNETES));

    assertThat(env)
        .containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1")
        .containsEntry("KUBERNETES_SERVICE_PORT", "443")
        .containsEntry("KUBERNETES_SERVICE_PORT_HTTPS", "443")
        .containsEntry("KUBERNETES_PORT_443_TCP", "tcp://10.43.0.1:443")
        .containsEntry("WEB_SERVICE_HOST", "10.43.1.1");
    assertThat(env.keySet()).noneMatch(k -> k.startsWith("HEADLESS") || k.startsWith("EXTERNAL"));
  }

  @Test
  void disabledServiceLinksStillGetKubernetes() {
    List<Service> shop = List.of(service("shop", "web", "10.43.1.1", port("http", 80, "TCP")));

    Map<String, String> env = ServiceEnvironment.forPod("shop", false, shop, List.of(KUBERNETES));

    assertThat(env).containsKey("KUBERNETES_SERVICE_HOST").doesNotContainKey("WEB_SERVICE_HOST");
  }

  @Test
  void aNamespaceServiceCalledKubernetesWins() {
    Service own = service("shop", "kubernetes", "10.43.9.9", port("", 8080, "TCP"));

    Map<String, String> env =
        ServiceEnvironment.forPod("shop", true, List.of(own), List.of(KUBERNETES));

    assertThat(env)
        .containsEntry("KUBERNETES_SERVICE_HOST", "10.43.9.9")
        .containsEntry("KUBERNETES_SERVICE_PORT", "8080");
  }
}
