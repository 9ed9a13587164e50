package dev.skiff.controllers.volume.protection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decisions of pvc-protection and pv-protection, on filled caches and a recording client. */
class ProtectionControllersTest {
  private static final String DELETED = "2026-11-25T10:00:00Z";

  private final CacheImpl<PersistentVolumeClaim> claims = new CacheImpl<>();
  private final CacheImpl<PersistentVolume> volumes = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final List<Pod> livePods = new ArrayList<>();
  private final List<PersistentVolumeClaim> claimUpdates = new ArrayList<>();
  private final List<PersistentVolume> volumeUpdates = new ArrayList<>();
  private final List<ObjectKey> queued = new ArrayList<>();

  private final ProtectionClient client =
      new ProtectionClient() {
        @Override
        public void updateClaim(PersistentVolumeClaim claim) {
          claimUpdates.add(claim);
        }

        @Override
        public void updateVolume(PersistentVolume volume) {
          volumeUpdates.add(volume);
        }

        @Override
        public List<Pod> listPods(String namespace) {
          return livePods.stream()
              .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
              .toList();
        }
      };

  private final PvcProtectionController pvc =
      new PvcProtectionController(claims, pods, client, queued::add);
  private final PvProtectionController pv =
      new PvProtectionController(volumes, client, queued::add);

  private static PersistentVolumeClaim claim(String name, boolean deleting, String... finalizers) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withNamespace("ns")
        .withName(name)
        .withUid("uid-" + name)
        .withFinalizers(finalizers)
        .withDeletionTimestamp(deleting ? DELETED : null)
        .endMetadata()
        .build();
  }

  private static Pod pod(String name, String node, String phase, String claim) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("ns")
        .withName(name)
        .withUid("pod-uid-" + name)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .addNewVolume()
        .withName("data")
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }

  private static PersistentVolume volume(String phase, boolean deleting, String... finalizers) {
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName("pv")
        .withFinalizers(finalizers)
        .withDeletionTimestamp(deleting ? DELETED : null)
        .endMetadata()
        .withNewStatus()
        .withPhase(phase)
        .endStatus()
        .build();
  }

  private void reconcileClaim(PersistentVolumeClaim claim) {
    claims.put(claim);
    pvc.reconcile(ObjectKey.of(claim));
  }

  @Test
  void deletedClaimUsedByARunningPodKeepsItsFinalizer() {
    pods.put(pod("app", "node-a", "Running", "data"));
    reconcileClaim(claim("data", true, PvcProtectionController.FINALIZER));
    assertThat(claimUpdates).isEmpty();
  }

  @Test
  void deletedClaimNoPodUsesLosesOnlyItsProtectionFinalizer() {
    pods.put(pod("other", "node-a", "Running", "elsewhere"));
    reconcileClaim(claim("data", true, "example.com/keep", PvcProtectionController.FINALIZER));
    assertThat(claimUpdates).hasSize(1);
    assertThat(claimUpdates.getFirst().getMetadata().getFinalizers())
        .containsExactly("example.com/keep");
  }

  @Test
  void finishedAndUnscheduledPodsDoNotHoldAClaim() {
    pods.put(pod("done", "node-a", "Succeeded", "data"));
    pods.put(pod("crashed", "node-a", "Failed", "data"));
    pods.put(pod("pending", null, "Pending", "data"));
    reconcileClaim(claim("data", true, PvcProtectionController.FINALIZER));
    assertThat(claimUpdates).hasSize(1);
    assertThat(claimUpdates.getFirst().getMetadata().getFinalizers()).isEmpty();
  }

  @Test
  void forceDeletedPodDoesNotHoldAClaimButOneInItsGracePeriodDoes() {
    Pod terminating =
        new PodBuilder(pod("app", "node-a", "Running", "data"))
            .editMetadata()
            .withDeletionTimestamp(DELETED)
            .withDeletionGracePeriodSeconds(30L)
            .endMetadata()
            .build();
    pods.put(terminating);
    reconcileClaim(claim("data", true, PvcProtectionController.FINALIZER));
    assertThat(claimUpdates).isEmpty();

    pods.put(
        new PodBuilder(terminating)
            .editMetadata()
            .withDeletionGracePeriodSeconds(0L)
            .endMetadata()
            .build());
    pvc.reconcile(new ObjectKey("ns", "data"));
    assertThat(claimUpdates).hasSize(1);
  }

  @Test
  void aPodTheCacheDoesNotShowYetStillHoldsTheClaim() {
    livePods.add(pod("new", "node-a", "Running", "data"));
    reconcileClaim(claim("data", true, PvcProtectionController.FINALIZER));
    assertThat(claimUpdates).isEmpty();
  }

  @Test
  void podsOfAnotherNamespaceDoNotHoldTheClaim() {
    pods.put(
        new PodBuilder(pod("app", "node-a", "Running", "data"))
            .editMetadata()
            .withNamespace("other")
            .endMetadata()
            .build());
    reconcileClaim(claim("data", true, PvcProtectionController.FINALIZER));
    assertThat(claimUpdates).hasSize(1);
  }

  @Test
  void ephemeralClaimIsHeldOnlyByThePodThatOwnsIt() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("ns")
            .withName("web")
            .withUid("pod-uid-web")
            .endMetadata()
            .withNewSpec()
            .withNodeName("node-a")
            .addNewVolume()
            .withName("scratch")
            .withNewEphemeral()
            .endEphemeral()
            .endVolume()
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus()
            .build();
    PersistentVolumeClaim notOwned = claim("web-scratch", true, PvcProtectionController.FINALIZER);
    assertThat(PvcProtectionController.podUsesClaim(pod, notOwned)).isFalse();
    PersistentVolumeClaim owned =
        new PersistentVolumeClaimBuilder(notOwned)
            .editMetadata()
            .addNewOwnerReference()
            .withApiVersion("v1")
            .withKind("Pod")
            .withName("web")
            .withUid("pod-uid-web")
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();
    assertThat(PvcProtectionController.podUsesClaim(pod, owned)).isTrue();
    assertThat(PvcProtectionController.claimNames(pod)).containsExactly("web-scratch");
  }

  @Test
  void claimWithoutTheFinalizerGetsItAndOneBeingDeletedWithoutItIsLeftAlone() {
    reconcileClaim(claim("old", false, "example.com/keep"));
    assertThat(claimUpdates).hasSize(1);
    assertThat(claimUpdates.getFirst().getMetadata().getFinalizers())
        .containsExactly("example.com/keep", PvcProtectionController.FINALIZER);

    reconcileClaim(claim("going", true, "example.com/keep"));
    reconcileClaim(claim("kept", false, PvcProtectionController.FINALIZER));
    assertThat(claimUpdates).hasSize(1);
  }

  @Test
  void podEventsQueueTheClaimsOnlyWhenThePodCanHaveFreedThem() {
    Pod running = pod("app", "node-a", "Running", "data");
    pvc.podHandler().onAdd(running);
    assertThat(queued).isEmpty();
    pvc.podHandler().onUpdate(running, pod("app", "node-a", "Succeeded", "data"));
    assertThat(queued).containsExactly(new ObjectKey("ns", "data"));
    pvc.podHandler().onDelete(running, false);
    assertThat(queued).containsExactly(new ObjectKey("ns", "data"), new ObjectKey("ns", "data"));
  }

  @Test
  void deletedVolumeKeepsItsFinalizerWhileBoundAndLosesItOnceReleased() {
    volumes.put(volume("Bound", true, PvProtectionController.FINALIZER));
    pv.reconcile(ObjectKey.clusterScoped("pv"));
    assertThat(volumeUpdates).isEmpty();

    volumes.put(volume("Released", true, PvProtectionController.FINALIZER));
    pv.reconcile(ObjectKey.clusterScoped("pv"));
    assertThat(volumeUpdates).hasSize(1);
    assertThat(volumeUpdates.getFirst().getMetadata().getFinalizers()).isEmpty();
  }

  @Test
  void availableVolumeWithoutTheFinalizerGetsIt() {
    volumes.put(volume("Available", false));
    pv.reconcile(ObjectKey.clusterScoped("pv"));
    assertThat(volumeUpdates).hasSize(1);
    assertThat(volumeUpdates.getFirst().getMetadata().getFinalizers())
        .containsExactly(PvProtectionController.FINALIZER);
  }

  @Test
  void volumeEventsQueueOnlyVolumesWithSomethingToDo() {
    pv.volumeHandler().onAdd(volume("Bound", false, PvProtectionController.FINALIZER));
    assertThat(queued).isEmpty();
    pv.volumeHandler()
        .onUpdate(
            volume("Bound", false, PvProtectionController.FINALIZER),
            volume("Bound", true, PvProtectionController.FINALIZER));
    assertThat(queued).containsExactly(ObjectKey.clusterScoped("pv"));
  }
}
