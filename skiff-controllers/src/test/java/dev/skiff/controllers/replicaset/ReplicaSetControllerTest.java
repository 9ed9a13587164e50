package dev.skiff.controllers.replicaset;

import static dev.skiff.controllers.pods.TestPods.owned;
import static dev.skiff.controllers.pods.TestPods.pod;
import static dev.skiff.controllers.pods.TestPods.ready;
import static dev.skiff.controllers.pods.TestPods.running;
import static dev.skiff.controllers.pods.TestPods.scheduled;
import static dev.skiff.controllers.pods.TestPods.terminating;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.controllers.pods.FakePodControl;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.ControllerRefManager;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicaSetControllerTest {
  private static final Map<String, String> LABELS = Map.of("app", "web");

  private final FakeClock clock = new FakeClock();
  private final CacheImpl<ReplicaSet> sets = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final FakePodControl podControl = new FakePodControl();
  private final List<ReplicaSet> statusWrites = new ArrayList<>();
  private final ControllerExpectations expectations = new ControllerExpectations(clock);
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final ReplicaSetController<ReplicaSet> controller;
  private final ObjectKey key = new ObjectKey("default", "web");

  ReplicaSetControllerTest() {
    pods.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    sets.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    controller =
        new ReplicaSetController<>(
            ReplicaSetKind.INSTANCE,
            sets,
            pods,
            podControl,
            rs -> {
              statusWrites.add(rs);
              return rs;
            },
            k -> sets.getByKey(k.cacheKey()),
            expectations,
            queue,
            clock);
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private static ReplicaSet replicaSet(int replicas, int minReadySeconds) {
    return new ReplicaSetBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("web")
        .withUid("rs-uid")
        .withGeneration(3L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withMinReadySeconds(minReadySeconds)
        .withNewSelector()
        .withMatchLabels(LABELS)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(LABELS)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private Pod ownedPod(String name) {
    return owned(
        pod(name, LABELS),
        ControllerRefManager.controllerRef(sets.getByKey("default/web"), "apps/v1", "ReplicaSet"));
  }

  @Test
  void createsMissingPodsOwnedByTheReplicaSet() {
    sets.put(replicaSet(3, 0));

    controller.reconcile(key);

    assertThat(podControl.created).hasSize(3);
    Pod created = podControl.created.get(0);
    assertThat(created.getMetadata().getGenerateName()).isEqualTo("web-");
    assertThat(created.getMetadata().getLabels()).isEqualTo(LABELS);
    assertThat(created.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            ref -> {
              assertThat(ref.getKind()).isEqualTo("ReplicaSet");
              assertThat(ref.getUid()).isEqualTo("rs-uid");
              assertThat(ref.getController()).isTrue();
              assertThat(ref.getBlockOwnerDeletion()).isTrue();
            });
    assertThat(statusWrites)
        .last()
        .satisfies(
            rs -> {
              assertThat(rs.getStatus().getReplicas()).isZero();
              assertThat(rs.getStatus().getObservedGeneration()).isEqualTo(3L);
            });
  }

  @Test
  void expectationsPreventCreatingTwiceBeforeTheCacheCatchesUp() {
    sets.put(replicaSet(2, 0));
    controller.reconcile(key);
    controller.reconcile(key);
    assertThat(podControl.created).hasSize(2);

    // the informer delivers the created pods: now the controller trusts its cache again
    for (Pod created : podControl.created) {
      pods.put(created);
      controller.podAdded(created);
    }
    assertThat(expectations.satisfied(key)).isTrue();
    controller.reconcile(key);
    assertThat(podControl.created).hasSize(2);
  }

  @Test
  void deletesSurplusPodsLeastValuableFirst() {
    sets.put(replicaSet(1, 0));
    pods.put(ready(scheduled(ownedPod("ready"), "n1"), clock.instant().minusSeconds(60)));
    pods.put(ownedPod("unscheduled"));
    pods.put(running(scheduled(ownedPod("running"), "n1")));

    controller.reconcile(key);

    assertThat(podControl.deleted).containsExactlyInAnyOrder("unscheduled", "running");
    assertThat(expectations.satisfied(key)).isFalse();
    controller.podDeleted(pods.getByKey("default/unscheduled"));
    controller.podDeleted(pods.getByKey("default/running"));
    assertThat(expectations.satisfied(key)).isTrue();
  }

  @Test
  void terminatingAndFinishedPodsDoNotCount() {
    sets.put(replicaSet(2, 0));
    pods.put(terminating(ownedPod("going")));
    Pod done = ownedPod("done");
    done.getStatus().setPhase("Succeeded");
    pods.put(done);
    pods.put(ownedPod("alive"));

    controller.reconcile(key);

    assertThat(podControl.created).hasSize(1);
  }

  @Test
  void adoptsMatchingOrphansAndReleasesPodsThatNoLongerMatch() {
    sets.put(replicaSet(2, 0));
    pods.put(pod("orphan", LABELS));
    pods.put(
        owned(
            pod("relabelled", Map.of("app", "other")),
            ownedPod("x").getMetadata().getOwnerReferences().get(0)));
    pods.put(pod("stranger", Map.of("app", "other")));

    controller.reconcile(key);

    assertThat(podControl.patched).containsExactlyInAnyOrder("orphan -> [web]", "relabelled -> []");
    assertThat(podControl.created).hasSize(1);
  }

  @Test
  void doesNotAdoptWhenTheLiveObjectWasReplaced() {
    ReplicaSet cached = replicaSet(1, 0);
    sets.put(cached);
    pods.put(pod("orphan", LABELS));
    ReplicaSetController<ReplicaSet> stale =
        new ReplicaSetController<>(
            ReplicaSetKind.INSTANCE,
            sets,
            pods,
            podControl,
            rs -> rs,
            k -> {
              ReplicaSet replaced = replicaSet(1, 0);
              replaced.getMetadata().setUid("new-uid");
              return replaced;
            },
            expectations,
            queue,
            clock);

    assertThatThrownBy(() -> stale.reconcile(key)).hasMessageContaining("deleted or replaced");
    assertThat(podControl.patched).isEmpty();
  }

  @Test
  void reportsReadyAndAvailableWithMinReadySeconds() {
    sets.put(replicaSet(2, 30));
    pods.put(ready(scheduled(ownedPod("old"), "n1"), clock.instant().minusSeconds(60)));
    pods.put(ready(scheduled(ownedPod("new"), "n1"), clock.instant().minusSeconds(10)));

    Result result = controller.reconcile(key);

    ReplicaSet written = statusWrites.get(statusWrites.size() - 1);
    assertThat(written.getStatus().getReplicas()).isEqualTo(2);
    assertThat(written.getStatus().getFullyLabeledReplicas()).isEqualTo(2);
    assertThat(written.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(written.getStatus().getAvailableReplicas()).isEqualTo(1);
    assertThat(result).isEqualTo(Result.requeueAfter(Duration.ofSeconds(30)));
  }

  @Test
  void failedCreationsSetReplicaFailureAndRetry() {
    sets.put(replicaSet(4, 0));
    podControl.failCreationsAfter(1, "pods \"web-\" is forbidden: exceeded quota");

    assertThatThrownBy(() -> controller.reconcile(key))
        .isInstanceOf(KubernetesClientException.class);

    // batches 1 then 2: the second batch fails, the last pod is never attempted
    assertThat(podControl.created).hasSize(1);
    assertThat(expectations.describe(key)).isEqualTo("adds=1 deletes=0");
    ReplicaSet written = statusWrites.get(statusWrites.size() - 1);
    assertThat(written.getStatus().getConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getType()).isEqualTo("ReplicaFailure");
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("FailedCreate");
              assertThat(c.getMessage()).contains("exceeded quota");
            });
  }

  @Test
  void aDeletedReplicaSetForgetsItsExpectations() {
    expectations.expectCreations(key, 3);
    assertThat(controller.reconcile(key)).isEqualTo(Result.done());
    assertThat(expectations.satisfied(key)).isTrue();
  }

  @Test
  void orphanPodEventsEnqueueMatchingReplicaSets() throws InterruptedException {
    sets.put(replicaSet(1, 0));
    controller.podAdded(pod("orphan", LABELS));
    controller.podAdded(pod("other", Map.of("app", "db")));

    assertThat(queue.length()).isEqualTo(1);
    assertThat(queue.get()).isEqualTo(key);
  }

  @Test
  void replicationControllersShareTheLogic() {
    CacheImpl<ReplicationController> rcs = new CacheImpl<>();
    rcs.put(
        new ReplicationControllerBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("legacy")
            .withUid("rc-uid")
            .withGeneration(1L)
            .endMetadata()
            .withNewSpec()
            .withReplicas(2)
            .withSelector(LABELS)
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(LABELS)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("c")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build());
    List<ReplicationController> rcStatus = new ArrayList<>();
    ReplicaSetController<ReplicationController> rcController =
        new ReplicaSetController<>(
            ReplicationControllerKind.INSTANCE,
            rcs,
            pods,
            podControl,
            rc -> {
              rcStatus.add(rc);
              return rc;
            },
            k -> rcs.getByKey(k.cacheKey()),
            expectations,
            queue,
            clock);

    rcController.reconcile(new ObjectKey("default", "legacy"));

    assertThat(podControl.created)
        .hasSize(2)
        .allSatisfy(
            p ->
                assertThat(p.getMetadata().getOwnerReferences().get(0).getKind())
                    .isEqualTo("ReplicationController"));
    assertThat(rcStatus)
        .singleElement()
        .satisfies(rc -> assertThat(rc.getStatus().getObservedGeneration()).isEqualTo(1L));
  }
}
