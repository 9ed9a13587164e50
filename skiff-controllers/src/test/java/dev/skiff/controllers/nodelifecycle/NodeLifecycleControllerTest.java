package dev.skiff.controllers.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.controllers.pods.TestPods;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeLifecycleControllerTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<Node> nodes = new CacheImpl<>();
  private final CacheImpl<Lease> leases = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final List<String> evicted = new ArrayList<>();
  private final FakeEventRecorder recorder = new FakeEventRecorder();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final NodeLifecycleController controller =
      new NodeLifecycleController(
          nodes,
          leases,
          pods,
          new NodeWriter() {
            @Override
            public void updateStatus(Node node) {
              nodes.put(Json.MAPPER.convertValue(node, Node.class));
            }

            @Override
            public void setTaints(Node node, List<Taint> taints) {
              Node copy =
                  Json.MAPPER.convertValue(
                      nodes.getByKey(node.getMetadata().getName()), Node.class);
              copy.getSpec().setTaints(taints);
              nodes.put(copy);
            }

            @Override
            public void evict(Pod pod) {
              evicted.add(pod.getMetadata().getName());
              pods.put(TestPods.terminating(Json.MAPPER.convertValue(pod, Pod.class)));
            }
          },
          recorder,
          queue,
          clock,
          Duration.ofSeconds(40));
  private final ObjectKey key = ObjectKey.clusterScoped("n1");

  @AfterEach
  void close() {
    queue.close();
  }

  private void readyNode() {
    nodes.put(
        new NodeBuilder()
            .withNewMetadata()
            .withName("n1")
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withLastHeartbeatTime(clock.instant().toString())
            .endCondition()
            .endStatus()
            .build());
  }

  private Node node() {
    return nodes.getByKey("n1");
  }

  private Pod podOnNode(String name, Long tolerationSeconds) {
    Pod pod = TestPods.scheduled(TestPods.pod(name, Map.of()), "n1");
    if (tolerationSeconds != null) {
      pod.getSpec()
          .setTolerations(
              List.of(
                  new TolerationBuilder()
                      .withKey(NodeLifecycleController.UNREACHABLE)
                      .withOperator("Exists")
                      .withEffect("NoExecute")
                      .withTolerationSeconds(tolerationSeconds)
                      .build()));
    }
    return pod;
  }

  @Test
  void aHealthyNodeKeepsItsConditionsAndHasNoTaints() {
    readyNode();
    assertThat(controller.reconcile(key).requeueAfter()).contains(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(30));
    controller.reconcile(key);

    assertThat(node().getStatus().getConditions().get(0).getStatus()).isEqualTo("True");
    assertThat(node().getSpec().getTaints()).isNullOrEmpty();
  }

  @Test
  void aSilentNodeBecomesUnknownTaintedAndItsPodsAreEvicted() {
    readyNode();
    pods.put(podOnNode("plain", null));
    pods.put(podOnNode("patient", 300L));
    controller.reconcile(key);

    clock.advance(Duration.ofSeconds(41));
    Result result = controller.reconcile(key);

    assertThat(node().getStatus().getConditions())
        .filteredOn(c -> c.getType().equals("Ready"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("Unknown");
              assertThat(c.getReason()).isEqualTo("NodeStatusUnknown");
              assertThat(c.getMessage()).isEqualTo("Kubelet stopped posting node status.");
            });
    assertThat(node().getSpec().getTaints())
        .extracting(t -> t.getKey() + ":" + t.getEffect())
        .containsExactlyInAnyOrder(
            "node.kubernetes.io/unreachable:NoSchedule",
            "node.kubernetes.io/unreachable:NoExecute");
    assertThat(evicted).containsExactly("plain");
    assertThat(result.requeueAfter()).contains(Duration.ofSeconds(5));
    assertThat(recorder.events()).anyMatch(e -> e.contains("TaintManagerEviction"));

    clock.advance(Duration.ofSeconds(300));
    controller.reconcile(key);
    assertThat(evicted).containsExactly("plain", "patient");
  }

  @Test
  void aLeaseRenewalKeepsTheNodeAlive() {
    readyNode();
    Lease lease = new Lease();
    lease.setMetadata(
        new ObjectMetaBuilder().withNamespace("kube-node-lease").withName("n1").build());
    lease.setSpec(new LeaseSpec());
    leases.put(lease);
    controller.reconcile(key);

    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(10));
      lease.getSpec().setRenewTime(clock.instant().atZone(ZoneOffset.UTC));
      controller.reconcile(key);
    }

    assertThat(node().getStatus().getConditions().get(0).getStatus()).isEqualTo("True");
  }

  @Test
  void pressureConditionsBringTheirNoScheduleTaintsWhileTrue() {
    readyNode();
    Node pressured = Json.MAPPER.convertValue(node(), Node.class);
    pressured
        .getStatus()
        .getConditions()
        .add(
            new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
                .withType("DiskPressure")
                .withStatus("True")
                .build());
    pressured
        .getStatus()
        .getConditions()
        .add(
            new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
                .withType("MemoryPressure")
                .withStatus("False")
                .build());
    nodes.put(pressured);
    controller.reconcile(key);
    assertThat(node().getSpec().getTaints())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("node.kubernetes.io/disk-pressure");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });

    Node relieved = Json.MAPPER.convertValue(node(), Node.class);
    relieved.getStatus().getConditions().get(1).setStatus("False");
    nodes.put(relieved);
    controller.reconcile(key);
    assertThat(node().getSpec().getTaints()).isEmpty();
  }

  @Test
  void aNotReadyNodeGetsTheNotReadyTaintsAndLosesThemWhenReady() {
    readyNode();
    Node notReady = Json.MAPPER.convertValue(node(), Node.class);
    notReady.getStatus().getConditions().get(0).setStatus("False");
    nodes.put(notReady);
    controller.reconcile(key);
    assertThat(node().getSpec().getTaints())
        .extracting(Taint::getKey)
        .containsOnly(NodeLifecycleController.NOT_READY);

    Node ready = Json.MAPPER.convertValue(node(), Node.class);
    ready.getStatus().getConditions().get(0).setStatus("True");
    nodes.put(ready);
    controller.reconcile(key);
    assertThat(node().getSpec().getTaints()).isEmpty();
  }
}
