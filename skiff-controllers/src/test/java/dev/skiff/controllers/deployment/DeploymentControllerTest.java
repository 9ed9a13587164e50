package dev.skiff.controllers.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeploymentControllerTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<Deployment> deployments = new CacheImpl<>();
  private final CacheImpl<ReplicaSet> replicaSets = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final FakeDeploymentWriter writer =
      new FakeDeploymentWriter(deployments, replicaSets, clock);
  private final FakeEventRecorder recorder = new FakeEventRecorder();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final DeploymentController controller;
  private final ObjectKey key = new ObjectKey("default", "web");

  DeploymentControllerTest() {
    pods.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    controller =
        new DeploymentController(deployments, replicaSets, pods, writer, recorder, queue, clock);
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private static Deployment deployment(int replicas, String image) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("web")
        .withUid("d-uid")
        .withGeneration(1L)
        .withResourceVersion("1")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withRevisionHistoryLimit(10)
        .withProgressDeadlineSeconds(600)
        .withNewSelector()
        .withMatchLabels(Map.of("app", "web"))
        .endSelector()
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxSurge(new IntOrString("25%"))
        .withMaxUnavailable(new IntOrString("25%"))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private Deployment stored() {
    return deployments.getByKey("default/web");
  }

  /** Changes the stored Deployment's spec the way a user would (bumping its generation). */
  private void edit(Consumer<Deployment> change) {
    Deployment d = Json.MAPPER.convertValue(stored(), Deployment.class);
    change.accept(d);
    d.getMetadata().setGeneration(d.getMetadata().getGeneration() + 1);
    deployments.put(d);
  }

  private List<ReplicaSet> sets() {
    return replicaSets.list().stream()
        .sorted(Comparator.comparing(rs -> rs.getMetadata().getCreationTimestamp()))
        .toList();
  }

  /**
   * Plays the ReplicaSet controller and kubelets: every ReplicaSet gets its pods, all available.
   */
  private void settle() {
    for (ReplicaSet rs : replicaSets.list()) {
      ReplicaSet copy = Json.MAPPER.convertValue(rs, ReplicaSet.class);
      int n = copy.getSpec().getReplicas();
      ReplicaSetStatus status = new ReplicaSetStatus();
      status.setReplicas(n);
      status.setReadyReplicas(n);
      status.setAvailableReplicas(n);
      status.setFullyLabeledReplicas(n);
      status.setObservedGeneration(copy.getMetadata().getGeneration());
      copy.setStatus(status);
      replicaSets.put(copy);
    }
  }

  private DeploymentCondition condition(String type) {
    return Rollouts.condition(stored().getStatus(), type).orElseThrow();
  }

  @Test
  void createsTheFirstReplicaSetWithHashRevisionAndFullSize() {
    deployments.put(deployment(3, "nginx:1"));

    controller.reconcile(key);

    ReplicaSet rs = sets().get(0);
    String hash = rs.getMetadata().getLabels().get("pod-template-hash");
    assertThat(hash).isNotBlank().matches("[bcdfghjklmnpqrstvwxz2456789]+");
    assertThat(rs.getMetadata().getName()).isEqualTo("web-" + hash);
    assertThat(rs.getSpec().getReplicas()).isEqualTo(3);
    assertThat(rs.getSpec().getSelector().getMatchLabels())
        .containsEntry("app", "web")
        .containsEntry("pod-template-hash", hash);
    assertThat(rs.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("pod-template-hash", hash);
    assertThat(rs.getMetadata().getAnnotations())
        .containsEntry(Rollouts.REVISION, "1")
        .containsEntry(Rollouts.DESIRED_REPLICAS, "3")
        .containsEntry(Rollouts.MAX_REPLICAS, "4");
    assertThat(rs.getMetadata().getOwnerReferences().get(0).getController()).isTrue();
    assertThat(stored().getMetadata().getAnnotations()).containsEntry(Rollouts.REVISION, "1");
    assertThat(recorder.events())
        .contains("Normal ScalingReplicaSet Scaled up replica set web-" + hash + " from 0 to 3");
    assertThat(condition("Progressing").getReason()).isEqualTo("NewReplicaSetCreated");
  }

  @Test
  void theHashIsStableForTheSameTemplate() {
    Deployment d = deployment(3, "nginx:1");
    assertThat(TemplateHash.compute(d.getSpec().getTemplate(), null))
        .isEqualTo(TemplateHash.compute(deployment(5, "nginx:1").getSpec().getTemplate(), null))
        .isNotEqualTo(TemplateHash.compute(deployment(3, "nginx:2").getSpec().getTemplate(), null))
        .isNotEqualTo(TemplateHash.compute(d.getSpec().getTemplate(), 1));
  }

  @Test
  void becomesCompleteAndAvailableOnceTheReplicaSetIs() {
    deployments.put(deployment(3, "nginx:1"));
    controller.reconcile(key);
    settle();
    controller.reconcile(key);

    assertThat(stored().getStatus().getReplicas()).isEqualTo(3);
    assertThat(stored().getStatus().getUpdatedReplicas()).isEqualTo(3);
    assertThat(stored().getStatus().getAvailableReplicas()).isEqualTo(3);
    assertThat(stored().getStatus().getObservedGeneration()).isEqualTo(1L);
    assertThat(condition("Available").getStatus()).isEqualTo("True");
    assertThat(condition("Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
    assertThat(condition("Progressing").getMessage())
        .isEqualTo(
            "ReplicaSet \""
                + sets().get(0).getMetadata().getName()
                + "\" has successfully progressed.");
  }

  @Test
  void rollingUpdateStaysWithinMaxSurgeAndMaxUnavailable() {
    deployments.put(deployment(10, "nginx:1"));
    controller.reconcile(key);
    settle();
    controller.reconcile(key);
    edit(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2"));

    // maxSurge 25% of 10 rounds up to 3, maxUnavailable 25% rounds down to 2
    for (int step = 0; step < 50; step++) {
      controller.reconcile(key);
      List<ReplicaSet> sets = sets();
      assertThat(Rollouts.specReplicaSum(sets)).as("pods at step %d", step).isLessThanOrEqualTo(13);
      settle();
      assertThat(Rollouts.availableSum(sets())).isGreaterThanOrEqualTo(8);
      clock.advance(Duration.ofSeconds(1));
    }

    List<ReplicaSet> sets = sets();
    assertThat(sets).hasSize(2);
    assertThat(sets.get(0).getSpec().getReplicas()).isZero();
    assertThat(sets.get(1).getSpec().getReplicas()).isEqualTo(10);
    assertThat(sets.get(1).getMetadata().getAnnotations()).containsEntry(Rollouts.REVISION, "2");
    assertThat(stored().getMetadata().getAnnotations()).containsEntry(Rollouts.REVISION, "2");
    assertThat(stored().getStatus().getUpdatedReplicas()).isEqualTo(10);
    assertThat(condition("Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
    assertThat(recorder.events())
        .anyMatch(e -> e.startsWith("Normal ScalingReplicaSet Scaled down replica set web-"));
  }

  @Test
  void recreateScalesOldDownBeforeCreatingNew() {
    Deployment d = deployment(3, "nginx:1");
    d.getSpec().getStrategy().setType("Recreate");
    d.getSpec().getStrategy().setRollingUpdate(null);
    deployments.put(d);
    controller.reconcile(key);
    settle();
    controller.reconcile(key);
    edit(x -> x.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2"));

    controller.reconcile(key);
    assertThat(sets()).hasSize(1);
    assertThat(sets().get(0).getSpec().getReplicas()).isZero();

    controller.reconcile(key);
    assertThat(sets()).as("old pods still reported: wait").hasSize(1);

    settle();
    controller.reconcile(key);
    assertThat(sets()).hasSize(2);
    assertThat(sets().get(1).getSpec().getReplicas()).isEqualTo(3);
  }

  @Test
  void rollbackByTemplateReusesTheOldReplicaSetWithANewRevision() {
    deployments.put(deployment(2, "nginx:1"));
    controller.reconcile(key);
    settle();
    String first = sets().get(0).getMetadata().getName();
    edit(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2"));
    for (int i = 0; i < 10; i++) {
      controller.reconcile(key);
      settle();
      clock.advance(Duration.ofSeconds(1));
    }

    // kubectl rollout undo copies the old ReplicaSet's template (minus the hash) into the spec
    edit(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1"));
    for (int i = 0; i < 10; i++) {
      controller.reconcile(key);
      settle();
      clock.advance(Duration.ofSeconds(1));
    }

    ReplicaSet restored = replicaSets.getByKey("default/" + first);
    assertThat(replicaSets.list()).hasSize(2);
    assertThat(restored.getSpec().getReplicas()).isEqualTo(2);
    assertThat(restored.getMetadata().getAnnotations())
        .containsEntry(Rollouts.REVISION, "3")
        .containsEntry(Rollouts.REVISION_HISTORY, "1");
    assertThat(stored().getMetadata().getAnnotations()).containsEntry(Rollouts.REVISION, "3");
  }

  @Test
  void resizingMidRolloutScalesReplicaSetsProportionally() {
    Deployment d = deployment(10, "nginx:2");
    d.getSpec().getStrategy().getRollingUpdate().setMaxSurge(new IntOrString(3));
    d.getSpec().getStrategy().getRollingUpdate().setMaxUnavailable(new IntOrString(2));
    deployments.put(d);
    controller.reconcile(key);
    ReplicaSet newRs = sets().get(0);
    // an older ReplicaSet of the same Deployment, mid-rollout: 8 old + 5 new = 13 = 10 + surge
    ReplicaSet oldRs = Json.MAPPER.convertValue(newRs, ReplicaSet.class);
    oldRs.getMetadata().setName("web-old");
    oldRs.getMetadata().setUid("uid-web-old");
    oldRs.getMetadata().setCreationTimestamp(clock.instant().minusSeconds(3600).toString());
    oldRs.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1");
    oldRs.getSpec().setReplicas(8);
    oldRs.getMetadata().getAnnotations().put(Rollouts.REVISION, "0");
    replicaSets.put(oldRs);
    ReplicaSet resizedNew =
        Json.MAPPER.convertValue(
            replicaSets.getByKey("default/" + newRs.getMetadata().getName()), ReplicaSet.class);
    resizedNew.getSpec().setReplicas(5);
    replicaSets.put(resizedNew);

    edit(x -> x.getSpec().setReplicas(15));
    controller.reconcile(key);

    assertThat(replicaSets.getByKey("default/web-old").getSpec().getReplicas()).isEqualTo(11);
    assertThat(
            replicaSets
                .getByKey("default/" + newRs.getMetadata().getName())
                .getSpec()
                .getReplicas())
        .isEqualTo(7);
  }

  @Test
  void noProgressPastTheDeadlineMarksProgressDeadlineExceeded() {
    deployments.put(deployment(2, "nginx:1"));
    controller.reconcile(key);
    // the pods never become available
    clock.advance(Duration.ofSeconds(601));
    controller.reconcile(key);

    DeploymentCondition progressing = condition("Progressing");
    assertThat(progressing.getStatus()).isEqualTo("False");
    assertThat(progressing.getReason()).isEqualTo("ProgressDeadlineExceeded");
    assertThat(progressing.getMessage()).endsWith("has timed out progressing.");
    assertThat(condition("Available").getStatus()).isEqualTo("False");
  }

  @Test
  void waitingForProgressRequeuesAtTheDeadline() {
    deployments.put(deployment(2, "nginx:1"));
    controller.reconcile(key);
    clock.advance(Duration.ofSeconds(100));

    assertThat(controller.reconcile(key).requeueAfter()).contains(Duration.ofSeconds(500));
  }

  @Test
  void pausedDeploymentsDoNotRollOutButReportPaused() {
    deployments.put(deployment(2, "nginx:1"));
    controller.reconcile(key);
    settle();
    controller.reconcile(key);
    edit(
        d -> {
          d.getSpec().setPaused(true);
          d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
        });

    controller.reconcile(key);
    assertThat(sets()).hasSize(1);
    assertThat(condition("Progressing").getReason()).isEqualTo("DeploymentPaused");
    assertThat(condition("Progressing").getStatus()).isEqualTo("Unknown");

    edit(d -> d.getSpec().setPaused(false));
    controller.reconcile(key);
    assertThat(sets()).hasSize(2);
  }

  @Test
  void oldReplicaSetsBeyondTheHistoryLimitAreDeleted() {
    deployments.put(deployment(1, "nginx:1"));
    edit(d -> d.getSpec().setRevisionHistoryLimit(1));
    for (String image : List.of("nginx:2", "nginx:3", "nginx:4")) {
      controller.reconcile(key);
      settle();
      controller.reconcile(key);
      settle();
      edit(d -> d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image));
      clock.advance(Duration.ofSeconds(5));
    }
    for (int i = 0; i < 5; i++) {
      controller.reconcile(key);
      settle();
    }

    assertThat(replicaSets.list()).hasSize(2);
    assertThat(writer.deleted).hasSize(2);
    assertThat(replicaSets.list())
        .extracting(rs -> rs.getMetadata().getAnnotations().get(Rollouts.REVISION))
        .containsExactlyInAnyOrder("3", "4");
  }

  @Test
  void adoptsMatchingOrphanReplicaSets() {
    deployments.put(deployment(1, "nginx:1"));
    controller.reconcile(key);
    ReplicaSet orphan = Json.MAPPER.convertValue(sets().get(0), ReplicaSet.class);
    orphan.getMetadata().setOwnerReferences(null);
    replicaSets.put(orphan);

    controller.reconcile(key);

    assertThat(sets().get(0).getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo("d-uid"));
    assertThat(sets()).hasSize(1);
  }
}
