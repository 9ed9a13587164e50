package dev.skiff.controllers.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.history.Revisions;
import dev.skiff.controllers.runtime.CacheWriter;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StatefulSetControllerTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<StatefulSet> sets = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final CacheImpl<PersistentVolumeClaim> claims = new CacheImpl<>();
  private final CacheImpl<ControllerRevision> revisions = new CacheImpl<>();
  private final CacheWriter<Pod> podWriter = new CacheWriter<>(pods, Pod.class);
  private final CacheWriter<PersistentVolumeClaim> claimWriter =
      new CacheWriter<>(claims, PersistentVolumeClaim.class);
  private final CacheWriter<ControllerRevision> revisionWriter =
      new CacheWriter<>(revisions, ControllerRevision.class);
  private final List<StatefulSet> statusWrites = new ArrayList<>();
  private final FakeEventRecorder recorder = new FakeEventRecorder();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final StatefulSetController controller;
  private final ObjectKey key = new ObjectKey("default", "web");

  StatefulSetControllerTest() {
    pods.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    revisions.addIndexFunc(Informers.BY_CONTROLLER_UID, Informers::controllerUid);
    controller =
        new StatefulSetController(
            sets,
            pods,
            claims,
            revisions,
            podWriter,
            claimWriter,
            revisionWriter,
            set -> {
              statusWrites.add(set);
              sets.put(set);
              return set;
            },
            k -> sets.getByKey(k.cacheKey()),
            recorder,
            queue,
            clock);
  }

  @AfterEach
  void close() {
    queue.close();
  }

  private static StatefulSetBuilder set(int replicas, String image) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("web")
        .withUid("ss-uid")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName("nginx")
        .withNewSelector()
        .withMatchLabels(Map.of("app", "web"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
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

  private void put(StatefulSet set) {
    StatefulSet old = sets.getByKey("default/web");
    if (old != null) {
      set.setStatus(old.getStatus());
    }
    sets.put(set);
  }

  private Pod pod(String name) {
    return pods.getByKey("default/" + name);
  }

  private void markReady(String name) {
    Pod pod = pod(name);
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

  private StatefulSet current() {
    return sets.getByKey("default/web");
  }

  @Test
  void orderedReadyCreatesOnePodAtATimeWithStableIdentity() {
    put(set(3, "nginx:1").build());
    controller.reconcile(key);
    controller.reconcile(key);
    assertThat(podWriter.created).containsExactly("web-0");

    Pod web0 = pod("web-0");
    assertThat(web0.getSpec().getHostname()).isEqualTo("web-0");
    assertThat(web0.getSpec().getSubdomain()).isEqualTo("nginx");
    assertThat(web0.getMetadata().getLabels())
        .containsEntry(StatefulSetController.POD_NAME_LABEL, "web-0")
        .containsEntry(StatefulSetController.POD_INDEX_LABEL, "0")
        .containsEntry("app", "web");
    String revision = current().getStatus().getUpdateRevision();
    assertThat(revision).startsWith("web-");
    assertThat(web0.getMetadata().getLabels())
        .containsEntry(Revisions.CONTROLLER_REVISION_HASH, revision);
    assertThat(revisions.getByKey("default/" + revision).getRevision()).isEqualTo(1L);

    markReady("web-0");
    controller.reconcile(key);
    assertThat(podWriter.created).containsExactly("web-0", "web-1");
    markReady("web-1");
    controller.reconcile(key);
    markReady("web-2");
    controller.reconcile(key);
    assertThat(podWriter.created).containsExactly("web-0", "web-1", "web-2");
    StatefulSet set = current();
    assertThat(set.getStatus().getReplicas()).isEqualTo(3);
    assertThat(set.getStatus().getReadyReplicas()).isEqualTo(3);
    assertThat(set.getStatus().getAvailableReplicas()).isEqualTo(3);
    assertThat(set.getStatus().getCurrentReplicas()).isEqualTo(3);
    assertThat(set.getStatus().getUpdatedReplicas()).isEqualTo(3);
    assertThat(set.getStatus().getCurrentRevision()).isEqualTo(revision);
    assertThat(set.getStatus().getObservedGeneration()).isEqualTo(1L);
    assertThat(set.getStatus().getCollisionCount()).isZero();
    assertThat(recorder.events())
        .anyMatch(e -> e.contains("SuccessfulCreate") && e.contains("create Pod web-0"));
  }

  @Test
  void parallelCreatesAllPodsAtOnce() {
    put(set(3, "nginx:1").editSpec().withPodManagementPolicy("Parallel").endSpec().build());
    controller.reconcile(key);
    assertThat(podWriter.created).containsExactly("web-0", "web-1", "web-2");
  }

  @Test
  void scaleDownDeletesFromTheHighestOrdinalOneAtATime() {
    put(set(3, "nginx:1").build());
    for (int i = 0; i < 3; i++) {
      controller.reconcile(key);
      markReady("web-" + i);
    }
    put(set(1, "nginx:1").build());
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-2");
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-2", "web-1");
    assertThat(current().getStatus().getReplicas()).isEqualTo(1);
  }

  @Test
  void volumeClaimTemplatesBecomeClaimsPerOrdinalWithRetentionPolicy() {
    put(
        set(2, "nginx:1")
            .editSpec()
            .withPodManagementPolicy("Parallel")
            .addToVolumeClaimTemplates(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("data")
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withNewResources()
                    .withRequests(Map.of("storage", new Quantity("1Gi")))
                    .endResources()
                    .endSpec()
                    .build())
            .withNewPersistentVolumeClaimRetentionPolicy()
            .withWhenDeleted("Delete")
            .withWhenScaled("Delete")
            .endPersistentVolumeClaimRetentionPolicy()
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(claimWriter.created).containsExactly("data-web-0", "data-web-1");
    PersistentVolumeClaim claim = claims.getByKey("default/data-web-1");
    assertThat(claim.getMetadata().getLabels()).containsEntry("app", "web");
    assertThat(claim.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getKind()).isEqualTo("StatefulSet"));
    assertThat(pod("web-1").getSpec().getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("data");
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("data-web-1");
            });

    put(
        set(1, "nginx:1")
            .editSpec()
            .withPodManagementPolicy("Parallel")
            .withVolumeClaimTemplates(current().getSpec().getVolumeClaimTemplates())
            .withPersistentVolumeClaimRetentionPolicy(
                current().getSpec().getPersistentVolumeClaimRetentionPolicy())
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-1");
    assertThat(claims.getByKey("default/data-web-1").getMetadata().getOwnerReferences())
        .anySatisfy(
            ref -> {
              assertThat(ref.getKind()).isEqualTo("Pod");
              assertThat(ref.getName()).isEqualTo("web-1");
            });
  }

  @Test
  void retainPolicyLeavesClaimsWithoutOwners() {
    put(
        set(1, "nginx:1")
            .editSpec()
            .addToVolumeClaimTemplates(
                new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName("data")
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .endSpec()
                    .build())
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(claims.getByKey("default/data-web-0").getMetadata().getOwnerReferences())
        .isNullOrEmpty();
  }

  @Test
  void rollingUpdateGoesFromTheHighestOrdinalDownToThePartition() {
    put(set(3, "nginx:1").build());
    for (int i = 0; i < 3; i++) {
      controller.reconcile(key);
      markReady("web-" + i);
    }
    controller.reconcile(key);
    String oldRevision = current().getStatus().getCurrentRevision();
    put(
        set(3, "nginx:2")
            .editSpec()
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withPartition(1)
            .endRollingUpdate()
            .endUpdateStrategy()
            .endSpec()
            .build());
    controller.reconcile(key);
    String newRevision = current().getStatus().getUpdateRevision();
    assertThat(newRevision).isNotEqualTo(oldRevision);
    assertThat(revisions.getByKey("default/" + newRevision).getRevision()).isEqualTo(2L);
    assertThat(podWriter.deleted).containsExactly("web-2");
    // recreated at the update revision
    controller.reconcile(key);
    assertThat(pod("web-2").getMetadata().getLabels())
        .containsEntry(Revisions.CONTROLLER_REVISION_HASH, newRevision);
    assertThat(pod("web-2").getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:2");
    markReady("web-2");
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-2", "web-1");
    controller.reconcile(key);
    markReady("web-1");
    controller.reconcile(key);
    // web-0 is below the partition and keeps the old revision
    assertThat(podWriter.deleted).containsExactly("web-2", "web-1");
    assertThat(pod("web-0").getMetadata().getLabels())
        .containsEntry(Revisions.CONTROLLER_REVISION_HASH, oldRevision);
    StatefulSet set = current();
    assertThat(set.getStatus().getUpdatedReplicas()).isEqualTo(2);
    assertThat(set.getStatus().getCurrentReplicas()).isEqualTo(1);
    assertThat(set.getStatus().getCurrentRevision()).isEqualTo(oldRevision);
  }

  @Test
  void maxUnavailableLetsSeveralPodsUpdateAtOnce() {
    put(set(4, "nginx:1").editSpec().withPodManagementPolicy("Parallel").endSpec().build());
    controller.reconcile(key);
    for (int i = 0; i < 4; i++) {
      markReady("web-" + i);
    }
    controller.reconcile(key);
    put(
        set(4, "nginx:2")
            .editSpec()
            .withPodManagementPolicy("Parallel")
            .withNewUpdateStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString("50%"))
            .endRollingUpdate()
            .endUpdateStrategy()
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-3", "web-2");
    // recreated but not ready yet: the budget is spent
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-3", "web-2");
    markReady("web-3");
    markReady("web-2");
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-3", "web-2", "web-1", "web-0");
  }

  @Test
  void createConflictWaitsForTheCacheInsteadOfFailing() {
    put(set(1, "nginx:1").build());
    // the API already has web-0 but the cache has not seen it yet
    ObjectWriter<Pod> conflicting =
        new ObjectWriter<>() {
          @Override
          public Pod create(Pod pod) {
            throw new KubernetesClientException("pods \"web-0\" already exists", 409, null);
          }

          @Override
          public Pod update(Pod pod) {
            return pod;
          }

          @Override
          public void delete(Pod pod) {}
        };
    StatefulSetController withConflicts =
        new StatefulSetController(
            sets,
            pods,
            claims,
            revisions,
            conflicting,
            claimWriter,
            revisionWriter,
            set -> set,
            k -> sets.getByKey(k.cacheKey()),
            recorder,
            queue,
            clock);
    assertThat(withConflicts.reconcile(key).retry()).isFalse();
    assertThat(recorder.events()).noneMatch(e -> e.contains("FailedCreate"));
  }

  @Test
  void rollingBackReusesTheOldRevisionWithTheNextNumberAndHistoryIsTruncated() {
    put(set(1, "nginx:1").editSpec().withRevisionHistoryLimit(1).endSpec().build());
    controller.reconcile(key);
    String first = current().getStatus().getUpdateRevision();
    put(set(1, "nginx:2").editSpec().withRevisionHistoryLimit(1).endSpec().build());
    controller.reconcile(key);
    String second = current().getStatus().getUpdateRevision();
    put(set(1, "nginx:1").editSpec().withRevisionHistoryLimit(1).endSpec().build());
    controller.reconcile(key);
    assertThat(current().getStatus().getUpdateRevision()).isEqualTo(first);
    assertThat(revisions.getByKey("default/" + first).getRevision()).isEqualTo(3L);
    assertThat(revisions.getByKey("default/" + second).getRevision()).isEqualTo(2L);
    put(set(1, "nginx:3").editSpec().withRevisionHistoryLimit(0).endSpec().build());
    pods.list().forEach(pods::remove);
    controller.reconcile(key);
    // only live revisions (current, update, those of existing pods) are kept
    StatefulSet set = current();
    List<String> live = new ArrayList<>();
    live.add(set.getStatus().getCurrentRevision());
    live.add(set.getStatus().getUpdateRevision());
    pods.list().forEach(p -> live.add(StatefulSetController.revisionOf(p)));
    assertThat(revisions.list())
        .extracting(r -> r.getMetadata().getName())
        .doesNotContain(second)
        .allMatch(live::contains);
  }

  @Test
  void adoptsMatchingOrphansAndReleasesPodsThatNoLongerMatch() {
    put(set(2, "nginx:1").editSpec().withPodManagementPolicy("Parallel").endSpec().build());
    Pod orphan = new Pod();
    orphan.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMeta());
    orphan.getMetadata().setNamespace("default");
    orphan.getMetadata().setName("web-0");
    orphan.getMetadata().setUid("orphan-uid");
    orphan.getMetadata().setLabels(Map.of("app", "web"));
    pods.put(orphan);
    controller.enqueueOwner(orphan);
    assertThat(queue.length()).isEqualTo(1);
    controller.reconcile(key);
    assertThat(podWriter.updated).contains("web-0");
    assertThat(pod("web-0").getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo("ss-uid"));
    // only web-1 was missing
    assertThat(podWriter.created).containsExactly("web-1");

    Pod relabelled = pod("web-1");
    relabelled.getMetadata().setLabels(Map.of("app", "other"));
    pods.put(relabelled);
    controller.reconcile(key);
    assertThat(pod("web-1").getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  @Test
  void onDeleteNeverDeletesOldPodsButRecreatesDeletedOnesAtTheNewRevision() {
    put(
        set(1, "nginx:1")
            .editSpec()
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .endSpec()
            .build());
    controller.reconcile(key);
    markReady("web-0");
    controller.reconcile(key);
    put(
        set(1, "nginx:2")
            .editSpec()
            .withNewUpdateStrategy()
            .withType("OnDelete")
            .endUpdateStrategy()
            .endSpec()
            .build());
    controller.reconcile(key);
    assertThat(podWriter.deleted).isEmpty();
    assertThat(current().getStatus().getUpdatedReplicas()).isZero();
    pods.remove(pod("web-0"));
    controller.reconcile(key);
    assertThat(pod("web-0").getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:2");
    assertThat(current().getStatus().getUpdatedReplicas()).isEqualTo(1);
    assertThat(current().getStatus().getCurrentRevision())
        .isEqualTo(current().getStatus().getUpdateRevision());
  }

  @Test
  void failedPodIsDeletedAndRecreated() {
    put(set(1, "nginx:1").build());
    controller.reconcile(key);
    Pod failed = pod("web-0");
    failed.setStatus(new PodStatus());
    failed.getStatus().setPhase("Failed");
    pods.put(failed);
    controller.reconcile(key);
    assertThat(podWriter.deleted).containsExactly("web-0");
    controller.reconcile(key);
    assertThat(podWriter.created).containsExactly("web-0", "web-0");
  }

  @Test
  void podEventsEnqueueTheOwningSet() {
    put(set(1, "nginx:1").build());
    controller.reconcile(key);
    controller.enqueueOwner(pod("web-0"));
    assertThat(queue.length()).isEqualTo(1);
  }
}
