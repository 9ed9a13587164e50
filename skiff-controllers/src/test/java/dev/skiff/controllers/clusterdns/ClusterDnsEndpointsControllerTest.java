package dev.skiff.controllers.clusterdns;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterDnsEndpointsControllerTest {

  @Test
  void onlyReadyNodesWithAnIpv4InternalIpAreListedInNameOrder() {
    EndpointSlice slice =
        ClusterDnsEndpointsController.desired(
            List.of(
                node("zeta", "True", "InternalIP", "10.0.0.9"),
                node("alpha", "True", "InternalIP", "10.0.0.1"),
                node("not-ready", "False", "InternalIP", "10.0.0.2"),
                node("unknown", "Unknown", "InternalIP", "10.0.0.3"),
                node("external-only", "True", "ExternalIP", "192.0.2.1"),
                node("v6", "True", "InternalIP", "fd00::1"),
                new NodeBuilder().withNewMetadata().withName("no-status").endMetadata().build()));

    assertThat(slice.getEndpoints())
        .extracting(Endpoint::getNodeName, e -> e.getAddresses().getFirst())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alpha", "10.0.0.1"),
            org.assertj.core.groups.Tuple.tuple("zeta", "10.0.0.9"));
    assertThat(slice.getEndpoints())
        .allSatisfy(e -> assertThat(e.getConditions().getReady()).isTrue());
    assertThat(slice.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(slice.getMetadata().getLabels())
        .containsEntry("kubernetes.io/service-name", "kube-dns")
        .containsEntry("endpointslice.kubernetes.io/managed-by", "clusterdns.skiff.dev");
  }

  @Test
  void noReadyNodeGivesAnEmptySliceWithThePorts() {
    EndpointSlice slice =
        ClusterDnsEndpointsController.desired(
            List.of(node("down", "False", "InternalIP", "10.0.0.2")));

    assertThat(slice.getEndpoints()).isEmpty();
    assertThat(slice.getPorts()).hasSize(2);
  }

  private static Node node(String name, String ready, String addressType, String address) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .addNewAddress()
        .withType(addressType)
        .withAddress(address)
        .endAddress()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .endCondition()
        .endStatus()
        .build();
  }
}
