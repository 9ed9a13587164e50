package dev.skiff.controllers.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.history.Revisions;
import dev.skiff.controllers.runtime.CacheWriter;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DaemonSetControllerTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<DaemonSet> daemonSets = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final CacheImpl<Node> nodes = new CacheImpl<>();
  private final CacheImpl<ControllerRevision> revisions = new CacheImpl<>();
  private final CacheWriter<Pod> podWriter = new CacheWriter<>(pods, Pod.class);
  private final CacheWriter<ControllerRevision> revisionWriter =
      new CacheWriter<>(revisions, ControllerRevision.class);
  private final FakeEventRecorder recorder = new FakeEventRecorder();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final ControllerExpectations expectations = new ControllerExpectations(clock);
  private final DaemonSetController controller;
  private final ObjectKey key = new ObjectKey("kube-system", "agent");

  DaemonSetControllerTest() {
    pods.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    revisions.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    controller =
        new DaemonSetController(
            daemonSets,
            pods,
            nodes,
            revisions,
            podWriter,
            revisionWriter,
            ds -> {
              daemonSets.put(ds);
              return ds;
            },
            recorder,
            expectations,
            queue,
            clock);
    podWriter.afterCreate = pod -> controller.podHandler().onAdd(pod);
    podWriter.afterDelete = pod -> controller.podHandler().onDelete(pod, false);
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private static DaemonSetBuilder ds(String image) {
    return new DaemonSetBuilder()
        .withNewMetadata()
        .withNamespace("kube-system")
        .withName("agent")
        .withUid("ds-uid")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withNewSelector()
        .withMatchLabels(Map.of("app", "agent"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "agent"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec();
  }

  private void put(DaemonSet ds) {
    DaemonSet old = daemonSets.getByKey("kube-system/agent");
    if (old != null) {
      ds.setStatus(old.getStatus());
    }
    daemonSets.put(ds);
  }

  private void node(String name, Map<String, String> labels, Taint... taints) {
    nodes.put(
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withTaints(taints)
            .endSpec()
            .build());
  }

  private static Taint taint(String key, String effect) {
    return new TaintBuilder().withKey(key).withEffect(effect).build();
  }

  private List<Pod> podsOn(String node) {
    return pods.list().stream()
        .filter(p -> node.equals(DaemonSetController.targetNode(p)))
        .toList();
  }

  private void markAllReady() {
    for (Pod pod : pods.list()) {
      PodStatus status = new PodStatus();
      status.setPhase("Running");
      status.setConditions(
          List.of(
              new PodConditionBuilder()
                  .withType("Ready")
                  .withStatus("True")
                  .withLastTransitionTime(clock.instant().toString())
                  .build()));
      pod.setStatus(status);
      pods.put(pod);
    }
  }

  private DaemonSet current() {
    return daemonSets.getByKey("kube-system/agent");
  }

  @Test
  void onePodPerNodeWithNodeNameAffinityAndDefaultTolerations() {
    node("n1", Map.of());
    node("n2", Map.of());
    put(ds("agent:1").build());
    controller.reconcile(key);
    assertThat(pods.list()).hasSize(2);
    Pod pod = podsOn("n1").get(0);
    assertThat(pod.getSpec().getNodeName()).isNull();
    var terms =
        pod.getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms();
    assertThat(terms).hasSize(1);
    assertThat(terms.get(0).getMatchFields())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getKey()).isEqualTo("metadata.name");
              assertThat(r.getOperator()).isEqualTo("In");
              assertThat(r.getValues()).containsExactly("n1");
            });
    assertThat(pod.getSpec().getTolerations())
        .extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(NodeEligibility.NOT_READY, "Exists", "NoExecute"),
            org.assertj.core.groups.Tuple.tuple(NodeEligibility.UNREACHABLE, "Exists", "NoExecute"),
            org.assertj.core.groups.Tuple.tuple(
                NodeEligibility.DISK_PRESSURE, "Exists", "NoSchedule"),
            org.assertj.core.groups.Tuple.tuple(
                NodeEligibility.MEMORY_PRESSURE, "Exists", "NoSchedule"),
            org.assertj.core.groups.Tuple.tuple(
                NodeEligibility.PID_PRESSURE, "Exists", "NoSchedule"),
            org.assertj.core.groups.Tuple.tuple(
                NodeEligibility.UNSCHEDULABLE, "Exists", "NoSchedule"));
    String hash = pod.getMetadata().getLabels().get(Revisions.CONTROLLER_REVISION_HASH);
    assertThat(revisions.getByKey("kube-system/agent-" + hash).getRevision()).isEqualTo(1L);
    assertThat(pod.getMetadata().getLabels())
        .containsEntry(DaemonSetController.POD_TEMPLATE_GENERATION, "1")
        .containsEntry("app", "agent");
    // a second sync changes nothing
    controller.reconcile(key);
    assertThat(pods.list()).hasSize(2);
    assertThat(current().getStatus().getDesiredNumberScheduled()).isEqualTo(2);
    assertThat(current().getStatus().getCurrentNumberScheduled()).isEqualTo(2);
    assertThat(current().getStatus().getNumberReady()).isZero();
    assertThat(current().getStatus().getUpdatedNumberScheduled()).isEqualTo(2);
  }

  @Test
  void nodeSelectorAffinityAndTaintsDecideEligibility() {
    node("linux", Map.of("os", "linux"));
    node("windows", Map.of("os", "windows"));
    node("tainted", Map.of("os", "linux"), taint("dedicated", "NoSchedule"));
    node("pressured", Map.of("os", "linux"), taint(NodeEligibility.DISK_PRESSURE, "NoSchedule"));
    node("cordoned", Map.of("os", "linux"), taint(NodeEligibility.UNSCHEDULABLE, "NoSchedule"));
    node("prefer", Map.of("os", "linux"), taint("soft", "PreferNoSchedule"));
    put(
        ds("agent:1")
            .editSpec()
            .editTemplate()
            .editSpec()
            .withNodeSelector(Map.of("os", "linux"))
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(pods.list())
        .extracting(DaemonSetController::targetNode)
        .containsExactlyInAnyOrder("linux", "pressured", "cordoned", "prefer");
    assertThat(current().getStatus().getDesiredNumberScheduled()).isEqualTo(4);
  }

  @Test
  void requiredNodeAffinityAndTolerationsAreHonoured() {
    node("ssd", Map.of("disk", "ssd"), taint("dedicated", "NoSchedule"));
    node("hdd", Map.of("disk", "hdd"));
    put(
        ds("agent:1")
            .editSpec()
            .editTemplate()
            .editSpec()
            .withNewAffinity()
            .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
            .addNewMatchExpression()
            .withKey("disk")
            .withOperator("In")
            .withValues("ssd")
            .endMatchExpression()
            .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endNodeAffinity()
            .endAffinity()
            .addNewToleration()
            .withKey("dedicated")
            .withOperator("Exists")
            .endToleration()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(pods.list()).extracting(DaemonSetController::targetNode).containsExactly("ssd");
  }

  @Test
  void noExecuteTaintEvictsButNoScheduleTaintKeepsARunningPod() {
    node("a", Map.of());
    node("b", Map.of());
    put(ds("agent:1").build());
    controller.reconcile(key);
    markAllReady();
    node("a", Map.of(), taint("maintenance", "NoSchedule"));
    node("b", Map.of(), taint("maintenance", "NoExecute"));
    controller.reconcile(key);
    assertThat(podsOn("a")).hasSize(1);
    assertThat(podsOn("b")).isEmpty();
    DaemonSet ds = current();
    assertThat(ds.getStatus().getDesiredNumberScheduled()).isZero();
    assertThat(ds.getStatus().getNumberMisscheduled()).isEqualTo(1);
  }

  @Test
  void rollingUpdateReplacesAtMostMaxUnavailablePods() {
    for (String n : List.of("n1", "n2", "n3")) {
      node(n, Map.of());
    }
    put(ds("agent:1").build());
    controller.reconcile(key);
    markAllReady();
    controller.reconcile(key);
    assertThat(current().getStatus().getNumberAvailable()).isEqualTo(3);
    put(ds("agent:2").editMetadata().withGeneration(2L).endMetadata().build());
    controller.reconcile(key);
    // default maxUnavailable 1: one old pod deleted, the node's new pod waits for the next sync
    assertThat(podWriter.deleted).hasSize(1);
    controller.reconcile(key);
    assertThat(
            pods.list().stream()
                .filter(p -> p.getSpec().getContainers().get(0).getImage().equals("agent:2")))
        .hasSize(1);
    assertThat(podWriter.deleted).hasSize(1);
    markAllReady();
    controller.reconcile(key);
    assertThat(podWriter.deleted).hasSize(2);
    DaemonSet ds = current();
    assertThat(ds.getStatus().getUpdatedNumberScheduled()).isEqualTo(1);
    assertThat(ds.getStatus().getObservedGeneration()).isEqualTo(2L);
    assertThat(revisions.list()).hasSize(2);
  }

  @Test
  void rollingUpdateWithMaxSurgeStartsTheNewPodBeforeDeletingTheOld() {
    node("n1", Map.of());
    node("n2", Map.of());
    DaemonSetBuilder surge =
        ds("agent:1")
            .editSpec()
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxSurge(new IntOrString(1))
            .withMaxUnavailable(new IntOrString(0))
            .endRollingUpdate()
            .endUpdateStrategy()
            .endSpec();
    put(surge.build());
    controller.reconcile(key);
    markAllReady();
    put(
        surge
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withImage("agent:2")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(podWriter.deleted).isEmpty();
    assertThat(pods.list()).hasSize(3);
    controller.reconcile(key);
    assertThat(pods.list()).hasSize(3);
    markAllReady();
    controller.reconcile(key);
    assertThat(podWriter.deleted).hasSize(1);
    assertThat(pods.list()).hasSize(3);
    markAllReady();
    controller.reconcile(key);
    markAllReady();
    controller.reconcile(key);
    assertThat(pods.list())
        .hasSize(2)
        .allSatisfy(
            p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("agent:2"));
    assertThat(current().getStatus().getUpdatedNumberScheduled()).isEqualTo(2);
  }

  @Test
  void onDeleteLeavesOldPodsUntilTheyAreDeleted() {
    node("n1", Map.of());
    DaemonSetBuilder onDelete =
        ds("agent:1")
            .editSpec()
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .endSpec();
    put(onDelete.build());
    controller.reconcile(key);
    markAllReady();
    put(
        onDelete
            .editSpec()
            .editTemplate()
            .editSpec()
            .editFirstContainer()
            .withImage("agent:2")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(podWriter.deleted).isEmpty();
    assertThat(current().getStatus().getUpdatedNumberScheduled()).isZero();
    pods.remove(podsOn("n1").get(0));
    controller.reconcile(key);
    assertThat(podsOn("n1").get(0).getSpec().getContainers().get(0).getImage())
        .isEqualTo("agent:2");
    assertThat(current().getStatus().getUpdatedNumberScheduled()).isEqualTo(1);
  }

  @Test
  void failedPodIsReplaced() {
    node("n1", Map.of());
    put(ds("agent:1").build());
    controller.reconcile(key);
    Pod pod = podsOn("n1").get(0);
    pod.setStatus(new PodStatus());
    pod.getStatus().setPhase("Failed");
    pods.put(pod);
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly(pod.getMetadata().getName());
    controller.reconcile(key);
    assertThat(podsOn("n1")).hasSize(1);
    assertThat(recorder.events()).anyMatch(e -> e.contains("SuccessfulDelete"));
  }

  @Test
  void waitsForItsOwnCreationsBeforeActingAgain() {
    node("n1", Map.of());
    node("n2", Map.of());
    put(ds("agent:1").build());
    // an API whose writes the cache has not yet seen
    podWriter.afterCreate = pod -> pods.remove(pod);
    controller.reconcile(key);
    controller.reconcile(key);
    assertThat(podWriter.created).hasSize(2);
    assertThat(expectations.satisfied(key)).isFalse();
  }

  @Test
  void aPodThatKeepsFailingIsReplacedWithGrowingDelays() {
    node("n1", Map.of());
    put(ds("agent:1").build());
    controller.reconcile(key);
    failPodOn("n1");
    controller.reconcile(key);
    assertThat(podWriter.deleted).hasSize(1);
    controller.reconcile(key);
    failPodOn("n1");
    // the first replacement starts a 1 s delay: the second failure waits it out
    var result = controller.reconcile(key);
    assertThat(podWriter.deleted).hasSize(1);
    assertThat(result.requeueAfter()).hasValueSatisfying(d -> assertThat(d).isPositive());
    clock.advance(java.time.Duration.ofSeconds(2));
    controller.reconcile(key);
    assertThat(podWriter.deleted).hasSize(2);
  }

  private void failPodOn(String node) {
    Pod pod = podsOn(node).get(0);
    pod.setStatus(new PodStatus());
    pod.getStatus().setPhase("Failed");
    pods.put(pod);
  }

  @Test
  void tolerationMatching() {
    Toleration exists = new Toleration("NoSchedule", "k", "Exists", null, null);
    Toleration equal = new Toleration("", "k", "Equal", null, "v");
    Toleration all = new Toleration(null, null, "Exists", null, null);
    Taint taint = new TaintBuilder().withKey("k").withValue("v").withEffect("NoSchedule").build();
    Taint other = new TaintBuilder().withKey("k").withValue("w").withEffect("NoExecute").build();
    assertThat(NodeEligibility.tolerates(exists, taint)).isTrue();
    assertThat(NodeEligibility.tolerates(exists, other)).isFalse();
    assertThat(NodeEligibility.tolerates(equal, taint)).isTrue();
    assertThat(NodeEligibility.tolerates(equal, other)).isFalse();
    assertThat(NodeEligibility.tolerates(all, other)).isTrue();
  }
}
