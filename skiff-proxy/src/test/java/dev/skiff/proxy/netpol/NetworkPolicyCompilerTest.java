package dev.skiff.proxy.netpol;

import static dev.skiff.proxy.netpol.PolicyFixtures.NAMESPACES;
import static dev.skiff.proxy.netpol.PolicyFixtures.PODS;
import static dev.skiff.proxy.netpol.PolicyFixtures.ipBlock;
import static dev.skiff.proxy.netpol.PolicyFixtures.namedPort;
import static dev.skiff.proxy.netpol.PolicyFixtures.namespaces;
import static dev.skiff.proxy.netpol.PolicyFixtures.pods;
import static dev.skiff.proxy.netpol.PolicyFixtures.podsInNamespaces;
import static dev.skiff.proxy.netpol.PolicyFixtures.policy;
import static dev.skiff.proxy.netpol.PolicyFixtures.port;
import static dev.skiff.proxy.netpol.PolicyFixtures.protocolOnly;
import static dev.skiff.proxy.netpol.PolicyFixtures.selector;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.netpol.CompiledPolicies.Allow;
import dev.skiff.proxy.netpol.CompiledPolicies.Peer;
import dev.skiff.proxy.netpol.CompiledPolicies.PodChain;
import dev.skiff.proxy.netpol.CompiledPolicies.PortMatch;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkPolicyCompilerTest {
  private final NetworkPolicyCompiler compiler = new NetworkPolicyCompiler("node-a");

  private CompiledPolicies compile(NetworkPolicy... policies) {
    return compiler.compile(PODS, NAMESPACES, List.of(policies));
  }

  private static List<String> isolated(CompiledPolicies compiled, Direction direction) {
    return compiled.pods().stream()
        .filter(p -> p.direction() == direction)
        .map(PodChain::key)
        .toList();
  }

  @Test
  void noPolicyIsolatesNothing() {
    assertThat(compile().pods()).isEmpty();
    assertThat(compile().policies()).isEmpty();
  }

  @Test
  void emptySelectorIsolatesLocalNetworkedPodsOfItsNamespaceOnly() {
    CompiledPolicies compiled = compile(policy("default", "deny", new LabelSelector()).build());

    // db-1 is on node-b; host-1 uses the host network; done-1 has finished
    assertThat(isolated(compiled, Direction.INGRESS))
        .containsExactly("default/web-1", "default/web-2");
    assertThat(isolated(compiled, Direction.EGRESS)).isEmpty();
    assertThat(compiled.policies())
        .singleElement()
        .satisfies(p -> assertThat(p.allows()).isEmpty());
  }

  @Test
  void policyTypesDefaultToIngressPlusEgressWhenEgressRulesExist() {
    NetworkPolicy withEgress =
        policy("default", "p", selector("app", "web"))
            .editSpec()
            .addNewEgress()
            .endEgress()
            .endSpec()
            .build();
    NetworkPolicy egressOnly =
        policy("default", "q", selector("app", "web"))
            .editSpec()
            .withPolicyTypes("Egress")
            .endSpec()
            .build();

    assertThat(NetworkPolicyCompiler.policyTypes(withEgress.getSpec()))
        .containsExactly(Direction.INGRESS, Direction.EGRESS);
    assertThat(NetworkPolicyCompiler.policyTypes(egressOnly.getSpec()))
        .containsExactly(Direction.EGRESS);
    assertThat(isolated(compile(egressOnly), Direction.INGRESS)).isEmpty();
    // an empty egress rule allows everything
    assertThat(compile(withEgress).policies())
        .filteredOn(p -> p.direction() == Direction.EGRESS)
        .singleElement()
        .satisfies(p -> assertThat(p.allows()).containsExactly(new Allow(null, null, null)));
  }

  @Test
  void podSelectorPeersAreInThePolicyNamespaceNamespaceSelectorAcrossNamespaces() {
    NetworkPolicy fromApps =
        policy("default", "p", selector("app", "web"))
            .editSpec()
            .addNewIngress()
            .withFrom(pods(new LabelSelector()), namespaces(selector("team", "frontend")))
            .endIngress()
            .endSpec()
            .build();

    assertThat(compile(fromApps).policies().getFirst().allows())
        .extracting(a -> a.peer().cidr())
        // default's pods (without host-1 and done-1), then frontend's
        .containsExactly(
            "10.42.1.20/32", "10.42.0.10/32", "10.42.0.11/32", "10.42.0.31/32", "10.42.1.30/32");
  }

  @Test
  void podAndNamespaceSelectorTogetherMeanPodsInThoseNamespaces() {
    NetworkPolicy p =
        policy("other", "p", new LabelSelector())
            .editSpec()
            .addNewIngress()
            .withFrom(podsInNamespaces(selector("app", "ui"), new LabelSelector()))
            .endIngress()
            .endSpec()
            .build();

    assertThat(compile(p).policies().getFirst().allows())
        .containsExactly(new Allow(Peer.of("10.42.1.30/32"), null, null));
  }

  @Test
  void namedIngressPortResolvesPerSelectedPod() {
    NetworkPolicy p =
        policy("default", "p", selector("app", "web"))
            .editSpec()
            .addNewIngress()
            .withPorts(
                namedPort("TCP", "http"), namedPort("UDP", "http"), namedPort(null, "metrics"))
            .endIngress()
            .endSpec()
            .build();

    assertThat(compile(p).policies().getFirst().allows())
        .containsExactly(
            new Allow(null, "10.42.0.10", new PortMatch("tcp", 8080, 0)),
            new Allow(null, "10.42.0.11", new PortMatch("tcp", 9090, 0)),
            new Allow(null, "10.42.0.11", new PortMatch("tcp", 9100, 0)));
  }

  @Test
  void namedEgressPortResolvesOnDestinationPodsInsideTheIpBlock() {
    NetworkPolicy p =
        policy("frontend", "p", selector("app", "api"))
            .editSpec()
            .withPolicyTypes("Egress")
            .addNewEgress()
            .withTo(ipBlock("10.42.0.0/16", "10.42.0.0/24"))
            .withPorts(namedPort("TCP", "pg"), namedPort("TCP", "http"))
            .endEgress()
            .endSpec()
            .build();

    // web-1/web-2 have "http" but sit in the excepted /24
    assertThat(compile(p).policies().getFirst().allows())
        .containsExactly(new Allow(Peer.of("10.42.1.20/32"), null, new PortMatch("tcp", 5432, 0)));
  }

  @Test
  void portsDefaultToTcpProtocolOnlyMatchesAllPortsEndPortMakesARange() {
    NetworkPolicy p =
        policy("default", "p", selector("app", "web"))
            .editSpec()
            .addNewIngress()
            .withFrom(ipBlock("192.168.0.0/16"))
            .withPorts(
                port(null, 80), protocolOnly("UDP"), PolicyFixtures.portRange("TCP", 1000, 2000))
            .endIngress()
            .endSpec()
            .build();

    Peer block = new Peer("192.168.0.0/16", List.of());
    assertThat(compile(p).policies().getFirst().allows())
        .containsExactly(
            new Allow(block, null, new PortMatch("tcp", 80, 0)),
            new Allow(block, null, new PortMatch("udp", 0, 0)),
            new Allow(block, null, new PortMatch("tcp", 1000, 2000)));
  }

  @Test
  void podSelectedBySeveralPoliciesListsThemAll() {
    CompiledPolicies compiled =
        compile(
            policy("default", "b", selector("app", "web")).build(),
            policy("default", "a", new LabelSelector()).build());

    assertThat(compiled.pods())
        .filteredOn(c -> c.name().equals("web-1"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.ips()).containsExactly("10.42.0.10");
              assertThat(c.policies()).extracting(r -> r.name()).containsExactly("a", "b");
            });
  }
}
