package dev.skiff.controllers.servicelb;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LoadBalancerNodesTest {

  /** A node's addresses as "Type=address" pairs. */
  record Case(String name, List<List<String>> nodes, List<String> families, List<String> want) {}

  static List<Case> cases() {
    return List.of(
        new Case(
            "internal IPs sorted",
            List.of(List.of("InternalIP=10.0.0.9"), List.of("InternalIP=10.0.0.10")),
            List.of(),
            List.of("10.0.0.10", "10.0.0.9")),
        new Case(
            "one external IP replaces every internal one",
            List.of(
                List.of("InternalIP=10.0.0.1", "ExternalIP=203.0.113.1"),
                List.of("InternalIP=10.0.0.2")),
            List.of("IPv4"),
            List.of("203.0.113.1")),
        new Case(
            "hostnames are not addresses",
            List.of(List.of("Hostname=n1", "InternalIP=10.0.0.1")),
            List.of("IPv4"),
            List.of("10.0.0.1")),
        new Case(
            "IPv4-only service leaves IPv6 out",
            List.of(List.of("InternalIP=10.0.0.1", "InternalIP=fd00::1")),
            List.of("IPv4"),
            List.of("10.0.0.1")),
        new Case(
            "dual-stack in the service's family order",
            List.of(List.of("InternalIP=10.0.0.1", "InternalIP=fd00::1")),
            List.of("IPv6", "IPv4"),
            List.of("fd00::1", "10.0.0.1")),
        new Case("no nodes, no addresses", List.of(), List.of("IPv4"), List.of()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void addresses(Case c) {
    List<Node> nodes =
        c.nodes().stream()
            .map(
                addresses -> {
                  NodeBuilder node =
                      new NodeBuilder()
                          .withNewMetadata()
                          .withName("n")
                          .endMetadata()
                          .withNewStatus()
                          .endStatus();
                  for (String pair : addresses) {
                    String[] typeAndIp = pair.split("=", 2);
                    node.editStatus()
                        .addNewAddress()
                        .withType(typeAndIp[0])
                        .withAddress(typeAndIp[1])
                        .endAddress()
                        .endStatus();
                  }
                  return node.build();
                })
            .toList();
    Service service =
        new ServiceBuilder().withNewSpec().withIpFamilies(c.families()).endSpec().build();

    assertThat(LoadBalancerNodes.addresses(nodes, service)).as(c.name()).isEqualTo(c.want());
  }
}
