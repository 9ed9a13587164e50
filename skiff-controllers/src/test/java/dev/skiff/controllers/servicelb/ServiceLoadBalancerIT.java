package dev.skiff.controllers.servicelb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The servicelb controller against a real API server with simulated nodes: ingress follows the
 * nodes, a second service on a taken port stays Pending with an event, a type change clears it.
 */
class ServiceLoadBalancerIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static ControllerManager manager;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of(ServiceLoadBalancerControllers.NAME)),
            Clock.systemUTC());
    manager.start();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  @Test
  void ingressFollowsNodesPortHoldersAndTypeChanges() {
    KubernetesClient client = cluster.client();
    createNode(client, "lb-a", "10.0.1.11", "True", Map.of());
    createNode(client, "lb-b", "10.0.1.12", "True", Map.of());
    createNode(client, "lb-c", "10.0.1.13", "False", Map.of());

    Service web = client.services().resource(loadBalancer("web", 8080)).create();
    assertThat(web.getSpec().getPorts().getFirst().getNodePort())
        .as("a LoadBalancer service keeps its node port")
        .isBetween(30000, 32767);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ingress(client, "web"))
                    .containsExactly("10.0.1.11 VIP", "10.0.1.12 VIP"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(reasons(client, "web"))
                    .contains("EnsuringLoadBalancer", "EnsuredLoadBalancer"));

    setReady(client, "lb-c", "True");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ingress(client, "web"))
                    .containsExactly("10.0.1.11 VIP", "10.0.1.12 VIP", "10.0.1.13 VIP"));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(reasons(client, "web")).contains("UpdatedLoadBalancer"));

    client.services().resource(loadBalancer("web-again", 8080)).create();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(reasons(client, "web-again")).contains("SyncLoadBalancerFailed"));
    assertThat(ingress(client, "web-again")).isEmpty();

    // the first gives the port up by becoming a ClusterIP service (kubectl patch): its ingress
    // goes, the second gets the nodes
    Service clusterIp =
        client
            .services()
            .inNamespace("default")
            .withName("web")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"type\":\"ClusterIP\"}}");
    assertThat(clusterIp.getSpec().getPorts().getFirst().getNodePort()).isNull();
    await().atMost(WAIT).untilAsserted(() -> assertThat(ingress(client, "web")).isEmpty());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ingress(client, "web-again"))
                    .containsExactly("10.0.1.11 VIP", "10.0.1.12 VIP", "10.0.1.13 VIP"));

    client.nodes().withName("lb-b").delete();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ingress(client, "web-again"))
                    .containsExactly("10.0.1.11 VIP", "10.0.1.13 VIP"));
  }

  private static Service loadBalancer(String name, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("default")
        .endMetadata()
        .withNewSpec()
        .withType("LoadBalancer")
        .withSelector(Map.of("app", name))
        .addNewPort()
        .withPort(port)
        .withProtocol("TCP")
        .endPort()
        .endSpec()
        .build();
  }

  private static List<String> ingress(KubernetesClient client, String name) {
    Service service = client.services().inNamespace("default").withName(name).get();
    if (service.getStatus() == null
        || service.getStatus().getLoadBalancer() == null
        || service.getStatus().getLoadBalancer().getIngress() == null) {
      return List.of();
    }
    return service.getStatus().getLoadBalancer().getIngress().stream()
        .map((LoadBalancerIngress i) -> i.getIp() + " " + i.getIpMode())
        .toList();
  }

  private static List<String> reasons(KubernetesClient client, String name) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .filter(e -> "Service".equals(e.getInvolvedObject().getKind()))
        .map(Event::getReason)
        .toList();
  }

  private static void createNode(
      KubernetesClient client, String name, String ip, String ready, Map<String, String> labels) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    Node node = client.nodes().withName(name).get();
    node.setStatus(
        new NodeStatusBuilder()
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
