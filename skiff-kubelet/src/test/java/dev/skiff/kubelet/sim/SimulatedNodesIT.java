package dev.skiff.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.client.Timestamps;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Simulated nodes against the in-process API server, through the real fabric8 client. */
class SimulatedNodesIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final int NODES = 50;
  private static SimulatedNodes fleet;
  private static KubernetesClient client;

  @BeforeAll
  static void startFleet() throws InterruptedException {
    client = cluster.client();
    fleet =
        SimulatedNodes.start(
            cluster.newClient(),
            SimNodeOptions.of(NODES)
                .withZones(List.of("z1", "z2"))
                .withPodRunTime(Duration.ofSeconds(1)));
    assertThat(fleet.awaitRegistered(Duration.ofSeconds(60))).isTrue();
  }

  @AfterAll
  static void stopFleet() {
    fleet.close();
  }

  @Test
  void nodesRegisterReadyAndRenewTheirLeases() {
    List<Node> nodes = client.nodes().withLabel("type", "sim").list().getItems();
    assertThat(nodes).hasSize(NODES);
    Node node = client.nodes().withName("sim-7").get();
    assertThat(node.getMetadata().getLabels())
        .containsEntry("kubernetes.io/hostname", "sim-7")
        .containsEntry("topology.kubernetes.io/zone", "z2");
    NodeCondition ready =
        node.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready"))
            .findFirst()
            .orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getReason()).isEqualTo("KubeletReady");
    assertThat(node.getStatus().getCapacity().get("pods").toString()).isEqualTo("110");

    Lease first = client.leases().inNamespace("kube-node-lease").withName("sim-7").get();
    assertThat(first.getSpec().getHolderIdentity()).isEqualTo("sim-7");
    assertThat(first.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
    assertThat(first.getMetadata().getOwnerReferences().getFirst().getUid())
        .isEqualTo(node.getMetadata().getUid());
    Instant firstRenew = first.getSpec().getRenewTime().toInstant();
    assertThat(client.leases().inNamespace("kube-node-lease").list().getItems())
        .filteredOn(l -> l.getMetadata().getName().startsWith("sim-"))
        .hasSize(NODES);

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .leases()
                            .inNamespace("kube-node-lease")
                            .withName("sim-7")
                            .get()
                            .getSpec()
                            .getRenewTime()
                            .toInstant())
                    .isAfter(firstRenew));
  }

  @Test
  void podBoundThroughABindingBecomesRunningAndReady() {
    Pod pod =
        client.pods().inNamespace("default").resource(pod("web", "Always", Map.of())).create();
    client
        .bindings()
        .inNamespace("default")
        .resource(
            new BindingBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewTarget()
                .withKind("Node")
                .withApiVersion("v1")
                .withName("sim-3")
                .endTarget()
                .build())
        .create();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .pods()
                            .inNamespace("default")
                            .withName("web")
                            .get()
                            .getStatus()
                            .getPhase())
                    .isEqualTo("Running"));
    Pod running = client.pods().inNamespace("default").withName("web").get();
    assertThat(running.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(running.getStatus().getConditions())
        .extracting(PodCondition::getType)
        .contains("PodScheduled", "Initialized", "ContainersReady", "Ready");
    assertThat(running.getStatus().getConditions()).allMatch(c -> c.getStatus().equals("True"));
    assertThat(running.getStatus().getHostIP()).isEqualTo(SimNode.nodeIp(3));
    assertThat(running.getStatus().getPodIP()).startsWith("10.128.3.");
    assertThat(running.getStatus().getQosClass()).isEqualTo("BestEffort");
    var container = running.getStatus().getContainerStatuses().getFirst();
    assertThat(container.getReady()).isTrue();
    assertThat(container.getStarted()).isTrue();
    assertThat(container.getContainerID()).startsWith("sim://");
    assertThat(container.getState().getRunning().getStartedAt()).isNotNull();
  }

  @Test
  void deletionIsConfirmedAfterTheGracePeriod() {
    client
        .pods()
        .inNamespace("default")
        .resource(bound(pod("doomed", "Always", Map.of()), "sim-4"))
        .create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "Running"
                    .equals(
                        client
                            .pods()
                            .inNamespace("default")
                            .withName("doomed")
                            .get()
                            .getStatus()
                            .getPhase()));

    client.pods().inNamespace("default").withName("doomed").withGracePeriod(2).delete();

    // a bound pod waits for its kubelet: still there, marked, until the grace period ends
    Pod deleting = client.pods().inNamespace("default").withName("doomed").get();
    assertThat(deleting).isNotNull();
    assertThat(Timestamps.parse(deleting.getMetadata().getDeletionTimestamp())).isNotNull();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> client.pods().inNamespace("default").withName("doomed").get() == null);
  }

  @Test
  void jobStylePodSucceedsAfterItsRunTime() {
    client
        .pods()
        .inNamespace("default")
        .resource(bound(pod("job", "Never", Map.of()), "sim-5"))
        .create();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .pods()
                            .inNamespace("default")
                            .withName("job")
                            .get()
                            .getStatus()
                            .getPhase())
                    .isEqualTo("Succeeded"));
    var terminated =
        client
            .pods()
            .inNamespace("default")
            .withName("job")
            .get()
            .getStatus()
            .getContainerStatuses()
            .getFirst()
            .getState()
            .getTerminated();
    assertThat(terminated.getReason()).isEqualTo("Completed");
    assertThat(terminated.getExitCode()).isZero();
  }

  @Test
  void failingPodEndsFailedWithItsExitCode() {
    client
        .pods()
        .inNamespace("default")
        .resource(bound(pod("crash", "Never", Map.of("sim.skiff.io/exit-code", "7")), "sim-6"))
        .create();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .pods()
                            .inNamespace("default")
                            .withName("crash")
                            .get()
                            .getStatus()
                            .getPhase())
                    .isEqualTo("Failed"));
    var terminated =
        client
            .pods()
            .inNamespace("default")
            .withName("crash")
            .get()
            .getStatus()
            .getContainerStatuses()
            .getFirst()
            .getState()
            .getTerminated();
    assertThat(terminated.getReason()).isEqualTo("Error");
    assertThat(terminated.getExitCode()).isEqualTo(7);
  }

  private static Pod pod(String name, String restartPolicy, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy(restartPolicy)
        .addNewContainer()
        .withName("main")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .build();
  }

  private static Pod bound(Pod pod, String node) {
    pod.getSpec().setNodeName(node);
    return pod;
  }
}
