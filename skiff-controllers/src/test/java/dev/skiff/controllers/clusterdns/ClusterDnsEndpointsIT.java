package dev.skiff.controllers.clusterdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster-dns controller against a real API server: the kube-dns slice follows the nodes. */
class ClusterDnsEndpointsIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static ControllerManager manager;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("cluster-dns")),
            Clock.systemUTC());
    manager.start();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  @Test
  void sliceListsReadyNodesAndFollowsReadinessAndDeletion() {
    KubernetesClient client = cluster.client();
    createNode(client, "dns-a", "10.0.0.11", "True");
    createNode(client, "dns-b", "10.0.0.12", "True");
    createNode(client, "dns-c", "10.0.0.13", "False");

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(addresses(client)).containsExactly("10.0.0.11", "10.0.0.12"));
    EndpointSlice slice = slice(client);
    assertThat(slice.getMetadata().getLabels())
        .containsEntry("kubernetes.io/service-name", "kube-dns")
        .containsEntry("endpointslice.kubernetes.io/managed-by", "clusterdns.skiff.dev");
    assertThat(slice.getAddressType()).isEqualTo("IPv4");
    assertThat(slice.getPorts())
        .extracting(EndpointPort::getName, EndpointPort::getProtocol, EndpointPort::getPort)
        .containsExactlyInAnyOrder(
            Tuple.tuple("dns", "UDP", 53), Tuple.tuple("dns-tcp", "TCP", 53));
    assertThat(slice.getEndpoints())
        .extracting(Endpoint::getNodeName)
        .containsExactly("dns-a", "dns-b");

    setReady(client, "dns-c", "True");
    setReady(client, "dns-a", "False");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(addresses(client)).containsExactly("10.0.0.12", "10.0.0.13"));

    client.nodes().withName("dns-b").delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(addresses(client)).containsExactly("10.0.0.13"));
  }

  private static EndpointSlice slice(KubernetesClient client) {
    return client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace("kube-system")
        .withName(ClusterDnsEndpointsController.SLICE)
        .get();
  }

  private static List<String> addresses(KubernetesClient client) {
    EndpointSlice slice = slice(client);
    assertThat(slice).isNotNull();
    return slice.getEndpoints().stream()
        .filter(e -> Boolean.TRUE.equals(e.getConditions().getReady()))
        .flatMap(e -> e.getAddresses().stream())
        .toList();
  }

  private static void createNode(KubernetesClient client, String name, String ip, String ready) {
    client
        .nodes()
        .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    Node node = client.nodes().withName(name).get();
    node.setStatus(
        new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress(ip)
            .endAddress()
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready)
            .endCondition()
            .build());
    client.nodes().resource(node).updateStatus();
  }

  private static void setReady(KubernetesClient client, String name, String ready) {
    Node node = client.nodes().withName(name).get();
    node.getStatus().getConditions().getFirst().setStatus(ready);
    client.nodes().resource(node).updateStatus();
  }
}
