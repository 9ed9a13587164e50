package dev.skiff.controllers.volume;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.FakeEventRecorder;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PersistentVolumeControllerTest {
  private final CacheImpl<PersistentVolume> volumes = new CacheImpl<>();
  private final CacheImpl<PersistentVolumeClaim> claims = new CacheImpl<>();
  private final CacheImpl<StorageClass> classes = new CacheImpl<>();
  private final CacheImpl<Node> nodes = new CacheImpl<>();
  private final Deque<ObjectKey> queue = new ArrayDeque<>();
  private final FakeEventRecorder events = new FakeEventRecorder();
  private final FakeEventRecorder provisionerEvents = new FakeEventRecorder();
  private final FakeVolumeClient api = new FakeVolumeClient(volumes, claims, this::changed);
  private final PersistentVolumeController controller =
      new PersistentVolumeController(
          volumes,
          claims,
          classes,
          nodes,
          api,
          events,
          provisionerEvents,
          Optional.of(new LocalPathProvisioner(Path.of("/var/lib/skiff/storage"))),
          queue::add,
          new FakeClock(Instant.parse("2026-11-25T10:00:00Z")));

  /** What the informers would deliver after a write: the object's key (and its claim's). */
  private void changed(HasMetadata object) {
    queue.add(ObjectKey.of(object));
    if (object instanceof PersistentVolume pv && pv.getSpec().getClaimRef() != null) {
      queue.add(
          new ObjectKey(
              pv.getSpec().getClaimRef().getNamespace(), pv.getSpec().getClaimRef().getName()));
    }
  }

  /** Runs the queue until nothing is left (bounded: a livelock fails the test). */
  private void settle() {
    for (int i = 0; i < 200 && !queue.isEmpty(); i++) {
      controller.reconcile(queue.poll());
    }
    assertThat(queue).as("controller settles").isEmpty();
  }

  private void addVolume(PersistentVolume volume) {
    volume.getMetadata().setResourceVersion("1");
    volume.getStatus().setPhase("Pending");
    volumes.put(volume);
    queue.add(ObjectKey.of(volume));
  }

  private void addClaim(PersistentVolumeClaim claim) {
    claim.getMetadata().setResourceVersion("1");
    claim.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus());
    claim.getStatus().setPhase("Pending");
    claims.put(claim);
    queue.add(ObjectKey.of(claim));
  }

  private void deleteClaim(String name) {
    PersistentVolumeClaim claim = claim(name);
    claims.remove(claim);
    controller.claimHandler().onDelete(claim, false);
  }

  private PersistentVolumeClaim claim(String name) {
    return claims.getByKey("app/" + name);
  }

  private PersistentVolume volume(String name) {
    return volumes.getByKey(name);
  }

  private void addClass(String name, String provisioner, String mode, String reclaim, boolean def) {
    StorageClass storageClass =
        new StorageClassBuilder()
            .withNewMetadata()
            .withName(name)
            .withCreationTimestamp("2026-11-25T09:00:00Z")
            .withAnnotations(def ? Map.of(PersistentVolumes.ANN_DEFAULT_CLASS, "true") : Map.of())
            .endMetadata()
            .withProvisioner(provisioner)
            .withVolumeBindingMode(mode)
            .withReclaimPolicy(reclaim)
            .build();
    classes.put(storageClass);
    controller.classHandler().onAdd(storageClass);
  }

  @Test
  void staticVolumeBindsToAClaimBothWays() {
    addVolume(VolumeMatcherTest.volume("pv-5g", "5Gi"));
    addVolume(VolumeMatcherTest.volume("pv-1g", "1Gi"));
    addClaim(VolumeMatcherTest.claim("2Gi", c -> c));
    settle();

    PersistentVolumeClaim claim = claim("data");
    assertThat(claim.getSpec().getVolumeName()).isEqualTo("pv-5g");
    assertThat(claim.getMetadata().getAnnotations())
        .containsEntry("pv.kubernetes.io/bind-completed", "yes")
        .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
    assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
    assertThat(claim.getStatus().getCapacity()).containsEntry("storage", new Quantity("5Gi"));
    assertThat(claim.getStatus().getAccessModes()).containsExactly("ReadWriteOnce");
    PersistentVolume bound = volume("pv-5g");
    assertThat(bound.getSpec().getClaimRef().getUid()).isEqualTo("uid-1");
    assertThat(bound.getSpec().getClaimRef().getName()).isEqualTo("data");
    assertThat(bound.getMetadata().getAnnotations())
        .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
    assertThat(bound.getStatus().getPhase()).isEqualTo("Bound");
    assertThat(bound.getStatus().getLastPhaseTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(volume("pv-1g").getStatus().getPhase()).isEqualTo("Available");
  }

  @Test
  void claimWithNoVolumeAndNoClassWaitsWithFailedBinding() {
    addClaim(VolumeMatcherTest.claim("1Gi", c -> c));
    settle();

    assertThat(claim("data").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(events.events())
        .containsExactly(
            "Normal FailedBinding no persistent volumes available for this claim and no storage"
                + " class is set");
  }

  @Test
  void explicitEmptyClassDoesNotGetTheDefaultClass() {
    addClass("local-path", "rancher.io/local-path", "WaitForFirstConsumer", "Delete", true);
    PersistentVolumeClaim claim = VolumeMatcherTest.claim("1Gi", c -> c);
    claim.getSpec().setStorageClassName("");
    addClaim(claim);
    settle();

    assertThat(claim("data").getSpec().getStorageClassName()).isEmpty();
    assertThat(events.events()).singleElement().asString().contains("FailedBinding");
  }

  @Test
  void claimWithoutClassGetsTheDefaultClassRetroactively() {
    addClaim(VolumeMatcherTest.claim("1Gi", c -> c));
    settle();
    addClass("local-path", "rancher.io/local-path", "WaitForFirstConsumer", "Delete", true);
    settle();

    assertThat(claim("data").getSpec().getStorageClassName()).isEqualTo("local-path");
    assertThat(events.events())
        .contains(
            "Normal WaitForFirstConsumer waiting for first consumer to be created before binding");
  }

  @Test
  void firstConsumerClaimWaitsThenLocalPathProvisionsOnTheSelectedNodeAndBinds() {
    nodes.put(
        new NodeBuilder()
            .withNewMetadata()
            .withName("node-a")
            .withLabels(Map.of("kubernetes.io/hostname", "host-a"))
            .endMetadata()
            .build());
    addClass("local-path", "rancher.io/local-path", "WaitForFirstConsumer", "Delete", true);
    addClaim(VolumeMatcherTest.claim("1Gi", c -> withClass(c, "local-path")));
    settle();
    assertThat(claim("data").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(volumes.list()).isEmpty();
    assertThat(events.events())
        .containsExactly(
            "Normal WaitForFirstConsumer waiting for first consumer to be created before binding");

    // the scheduler's VolumeBinding plugin picks the node
    PersistentVolumeClaim selected = claim("data");
    selected.getMetadata().setAnnotations(Map.of("volume.kubernetes.io/selected-node", "node-a"));
    claims.put(selected);
    queue.add(ObjectKey.of(selected));
    settle();

    PersistentVolumeClaim claim = claim("data");
    assertThat(claim.getMetadata().getAnnotations())
        .containsEntry("volume.kubernetes.io/storage-provisioner", "rancher.io/local-path")
        .containsEntry("volume.beta.kubernetes.io/storage-provisioner", "rancher.io/local-path")
        .containsEntry("pv.kubernetes.io/bind-completed", "yes");
    assertThat(claim.getSpec().getVolumeName()).isEqualTo("pvc-uid-1");
    assertThat(claim.getStatus().getPhase()).isEqualTo("Bound");
    PersistentVolume pv = volume("pvc-uid-1");
    assertThat(pv.getSpec().getHostPath().getPath())
        .isEqualTo("/var/lib/skiff/storage/pvc-uid-1_app_data");
    assertThat(pv.getSpec().getHostPath().getType()).isEqualTo("DirectoryOrCreate");
    assertThat(pv.getSpec().getCapacity()).containsEntry("storage", new Quantity("1Gi"));
    assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
    assertThat(pv.getSpec().getStorageClassName()).isEqualTo("local-path");
    var term = pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().getFirst();
    assertThat(term.getMatchExpressions().getFirst().getKey()).isEqualTo("kubernetes.io/hostname");
    assertThat(term.getMatchExpressions().getFirst().getValues()).containsExactly("host-a");
    assertThat(pv.getMetadata().getAnnotations())
        .containsEntry("pv.kubernetes.io/provisioned-by", "rancher.io/local-path")
        .doesNotContainKey("pv.kubernetes.io/bound-by-controller");
    assertThat(pv.getStatus().getPhase()).isEqualTo("Bound");
    assertThat(events.events())
        .contains(
            "Normal ExternalProvisioning Waiting for a volume to be created either by the external"
                + " provisioner 'rancher.io/local-path' or manually by the system administrator."
                + " If volume creation is delayed, please verify that the provisioner is running"
                + " and correctly registered.");
    assertThat(provisionerEvents.events())
        .containsExactly(
            "Normal Provisioning External provisioner is provisioning volume for claim"
                + " \"app/data\"",
            "Normal ProvisioningSucceeded Successfully provisioned volume pvc-uid-1");

    deleteClaim("data");
    settle();
    assertThat(volumes.list()).isEmpty();
    assertThat(api.calls()).contains("deleteVolume pvc-uid-1");
  }

  @Test
  void retainedVolumeIsReleasedWhenItsClaimGoes() {
    addVolume(VolumeMatcherTest.volume("keep", "1Gi"));
    addClaim(VolumeMatcherTest.claim("1Gi", c -> c));
    settle();
    deleteClaim("data");
    settle();

    PersistentVolume volume = volume("keep");
    assertThat(volume.getStatus().getPhase()).isEqualTo("Released");
    assertThat(volume.getSpec().getClaimRef().getUid()).isEqualTo("uid-1");
    // a new claim of the same name does not get the released volume back
    addClaim(VolumeMatcherTest.claim("1Gi", c -> withUid(c, "uid-2")));
    settle();
    assertThat(claim("data").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(volume("keep").getStatus().getPhase()).isEqualTo("Released");
  }

  @Test
  void recycleIsNotSupportedAndFailsTheVolume() {
    PersistentVolume volume = VolumeMatcherTest.volume("old", "1Gi");
    volume.getSpec().setPersistentVolumeReclaimPolicy("Recycle");
    addVolume(volume);
    addClaim(VolumeMatcherTest.claim("1Gi", c -> c));
    settle();
    deleteClaim("data");
    settle();

    assertThat(volume("old").getStatus().getPhase()).isEqualTo("Failed");
    assertThat(volume("old").getStatus().getMessage())
        .isEqualTo("No recycler plugin found for the volume!");
    assertThat(events.events())
        .containsExactly("Warning VolumeFailedRecycle No recycler plugin found for the volume!");
  }

  @Test
  void staticVolumeWithDeletePolicyFailsForWantOfADeleter() {
    PersistentVolume volume = VolumeMatcherTest.volume("static", "1Gi");
    volume.getSpec().setPersistentVolumeReclaimPolicy("Delete");
    addVolume(volume);
    addClaim(VolumeMatcherTest.claim("1Gi", c -> c));
    settle();
    deleteClaim("data");
    settle();

    assertThat(volume("static").getStatus().getPhase()).isEqualTo("Failed");
    assertThat(events.events())
        .containsExactly(
            "Warning VolumeFailedDelete error getting deleter volume plugin for volume"
                + " \"static\": no deletable volume plugin matched");
  }

  @Test
  void claimNamingATooSmallVolumeWaitsWithVolumeMismatch() {
    addVolume(VolumeMatcherTest.volume("tiny", "1Mi"));
    PersistentVolumeClaim claim = VolumeMatcherTest.claim("1Gi", c -> c);
    claim.getSpec().setVolumeName("tiny");
    addClaim(claim);
    settle();

    assertThat(claim("data").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(volume("tiny").getSpec().getClaimRef()).isNull();
    assertThat(events.events())
        .containsExactly(
            "Warning VolumeMismatch Cannot bind to requested volume \"tiny\": requested PV is too"
                + " small");
  }

  @Test
  void claimNamingAVolumeBindsItWithoutTheBoundByControllerAnnotation() {
    addVolume(VolumeMatcherTest.volume("small", "1Gi"));
    addVolume(VolumeMatcherTest.volume("chosen", "8Gi"));
    PersistentVolumeClaim claim = VolumeMatcherTest.claim("1Gi", c -> c);
    claim.getSpec().setVolumeName("chosen");
    addClaim(claim);
    settle();

    PersistentVolumeClaim bound = claim("data");
    assertThat(bound.getStatus().getPhase()).isEqualTo("Bound");
    assertThat(bound.getMetadata().getAnnotations())
        .containsEntry("pv.kubernetes.io/bind-completed", "yes")
        .doesNotContainKey("pv.kubernetes.io/bound-by-controller");
    assertThat(volume("chosen").getSpec().getClaimRef().getUid()).isEqualTo("uid-1");
    assertThat(volume("chosen").getMetadata().getAnnotations())
        .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
  }

  @Test
  void volumePreBoundByClaimRefWinsOverASmallerOne() {
    addVolume(VolumeMatcherTest.volume("small", "1Gi"));
    PersistentVolume reserved = VolumeMatcherTest.volume("reserved", "8Gi");
    reserved
        .getSpec()
        .setClaimRef(new ObjectReferenceBuilder().withNamespace("app").withName("data").build());
    addVolume(reserved);
    settle();
    assertThat(volume("reserved").getStatus().getPhase()).isEqualTo("Available");
    addClaim(VolumeMatcherTest.claim("1Gi", c -> c));
    settle();

    assertThat(claim("data").getSpec().getVolumeName()).isEqualTo("reserved");
    assertThat(volume("reserved").getSpec().getClaimRef().getUid()).isEqualTo("uid-1");
    assertThat(volume("reserved").getMetadata().getAnnotations())
        .doesNotContainKey("pv.kubernetes.io/bound-by-controller");
  }

  @Test
  void unknownClassFailsProvisioning() {
    addClaim(VolumeMatcherTest.claim("1Gi", c -> withClass(c, "nope")));
    settle();

    assertThat(events.events())
        .containsExactly(
            "Warning ProvisioningFailed storageclass.storage.k8s.io \"nope\" not found");
  }

  @Test
  void boundClaimWhoseVolumeIsDeletedIsLost() {
    addVolume(VolumeMatcherTest.volume("gone", "1Gi"));
    addClaim(VolumeMatcherTest.claim("1Gi", c -> c));
    settle();
    volumes.remove(volume("gone"));
    queue.add(ObjectKey.of(claim("data")));
    settle();

    PersistentVolumeClaim lost = claim("data");
    assertThat(lost.getStatus().getPhase()).isEqualTo("Lost");
    assertThat(lost.getStatus().getCapacity()).isNull();
    assertThat(events.events())
        .containsExactly(
            "Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is"
                + " lost!");
  }

  @Test
  void localPathRefusesSharedAccessModesAndBlockVolumes() {
    addClass("local-path", "rancher.io/local-path", "WaitForFirstConsumer", "Delete", true);
    PersistentVolumeClaim shared = VolumeMatcherTest.claim("1Gi", c -> withClass(c, "local-path"));
    shared.getSpec().setAccessModes(java.util.List.of("ReadWriteMany"));
    shared.getMetadata().setAnnotations(Map.of("volume.kubernetes.io/selected-node", "node-a"));
    addClaim(shared);
    PersistentVolumeClaim block = VolumeMatcherTest.claim("1Gi", c -> withClass(c, "local-path"));
    block.getMetadata().setName("raw");
    block.getMetadata().setUid("uid-raw");
    block.getSpec().setVolumeMode("Block");
    block.getMetadata().setAnnotations(Map.of("volume.kubernetes.io/selected-node", "node-a"));
    addClaim(block);
    settle();

    assertThat(volumes.list()).isEmpty();
    assertThat(claim("data").getStatus().getPhase()).isEqualTo("Pending");
    // each sync of a refused claim says so again (the event's count rises)
    assertThat(provisionerEvents.events())
        .containsOnly(
            "Warning ProvisioningFailed failed to provision volume with StorageClass"
                + " \"local-path\": NodePath only supports ReadWriteOnce and ReadWriteOncePod"
                + " (1.22+) access modes",
            "Warning ProvisioningFailed rancher.io/local-path does not support block volume"
                + " provisioning");
  }

  @Test
  void localPathClaimOfAnImmediateClassHasNoNode() {
    addClass("local-now", "rancher.io/local-path", "Immediate", "Delete", false);
    addClaim(VolumeMatcherTest.claim("1Gi", c -> withClass(c, "local-now")));
    settle();

    assertThat(volumes.list()).isEmpty();
    assertThat(provisionerEvents.events())
        .containsOnly(
            "Warning ProvisioningFailed failed to provision volume with StorageClass"
                + " \"local-now\": configuration error, no node was specified");
  }

  private static PersistentVolumeClaim withClass(PersistentVolumeClaim claim, String name) {
    claim.getSpec().setStorageClassName(name);
    return claim;
  }

  private static PersistentVolumeClaim withUid(PersistentVolumeClaim claim, String uid) {
    claim.getMetadata().setUid(uid);
    return claim;
  }
}
