package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostGwRoutesTest {

  static Node node(String name, String podCidr, String... addresses) {
    NodeBuilder builder =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withPodCIDR(podCidr)
            .endSpec();
    var status = builder.withNewStatus();
    for (String address : addresses) {
      String[] typeAndIp = address.split("=");
      status.addNewAddress().withType(typeAndIp[0]).withAddress(typeAndIp[1]).endAddress();
    }
    return status.endStatus().build();
  }

  @Test
  void routesEveryOtherNodesPodCidrViaItsInternalIp() {
    Map<String, String> routes =
        HostGwRoutes.desiredRoutes(
            List.of(
                node("a", "10.42.0.0/24", "InternalIP=192.168.77.2"),
                node(
                    "b",
                    "10.42.1.0/24",
                    "Hostname=b",
                    "InternalIP=fd00::3",
                    "InternalIP=192.168.77.3"),
                node("c", "10.42.2.0/24", "ExternalIP=203.0.113.4"),
                node("d", null, "InternalIP=192.168.77.5")),
            "a");

    assertThat(routes).containsExactly(Map.entry("10.42.1.0/24", "192.168.77.3"));
  }

  @Test
  void dualStackNodesGetOnlyTheirIpv4RangeRouted() {
    Node node = node("b", "10.42.1.0/24", "InternalIP=192.168.77.3");
    node.getSpec().setPodCIDRs(List.of("10.42.1.0/24", "fd42:0:0:1::/64"));

    assertThat(HostGwRoutes.desiredRoutes(List.of(node), "a"))
        .containsExactly(Map.entry("10.42.1.0/24", "192.168.77.3"));
  }
}
