package dev.skiff.controllers.volume;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in {@code rancher.io/local-path} provisioner (k3s' local-path-provisioner): a claim's
 * volume is a hostPath directory {@code <storage-path>/pvc-<uid>_<namespace>_<name>} on the node
 * the scheduler chose, pinned there by node affinity, created by the kubelet on first mount
 * (DirectoryOrCreate).
 */
final class LocalPathProvisioner {
  static final String NAME = "rancher.io/local-path";
  static final String STORAGE_CLASS = "local-path";
  static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  private final Path storagePath;

  LocalPathProvisioner(Path storagePath) {
    this.storagePath = storagePath;
  }

  Path storagePath() {
    return storagePath;
  }

  /** The volume name external provisioners give a claim's volume: {@code pvc-<claim uid>}. */
  static String volumeName(PersistentVolumeClaim claim) {
    return "pvc-" + claim.getMetadata().getUid();
  }

  /**
   * Why the provisioner cannot serve the claim (k3s' local-path-provisioner's reasons), or empty:
   * node directories serve one node, so only ReadWriteOnce and ReadWriteOncePod; no selector; a
   * node must have been chosen.
   */
  static Optional<String> refusal(PersistentVolumeClaim claim) {
    List<String> modes = claim.getSpec().getAccessModes();
    if (modes != null && !List.of("ReadWriteOnce", "ReadWriteOncePod").containsAll(modes)) {
      return Optional.of(
          "NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes");
    }
    if (claim.getSpec().getSelector() != null) {
      return Optional.of("claim.Spec.Selector is not supported");
    }
    String node = PersistentVolumes.annotation(claim, PersistentVolumes.ANN_SELECTED_NODE);
    if (node == null || node.isEmpty()) {
      return Optional.of("configuration error, no node was specified");
    }
    return Optional.empty();
  }

  /** The node directory of a claim's volume. */
  Path directory(PersistentVolumeClaim claim) {
    return storagePath.resolve(
        volumeName(claim)
            + "_"
            + claim.getMetadata().getNamespace()
            + "_"
            + claim.getMetadata().getName());
  }

  /**
   * The volume for the claim on the node whose {@code kubernetes.io/hostname} label is {@code
   * hostname}: pre-bound to the claim, capacity and modes from the claim, reclaim policy from the
   * class.
   */
  PersistentVolume volumeFor(
      PersistentVolumeClaim claim, StorageClass storageClass, String hostname) {
    Quantity request = claim.getSpec().getResources().getRequests().get(PersistentVolumes.STORAGE);
    String reclaim = storageClass.getReclaimPolicy();
    return new PersistentVolumeBuilder()
        .withNewMetadata()
        .withName(volumeName(claim))
        .withAnnotations(Map.of(PersistentVolumes.ANN_PROVISIONED_BY, NAME))
        .endMetadata()
        .withNewSpec()
        .withCapacity(Map.of(PersistentVolumes.STORAGE, request))
        .withAccessModes(claim.getSpec().getAccessModes())
        .withVolumeMode(PersistentVolumes.claimVolumeMode(claim))
        .withStorageClassName(storageClass.getMetadata().getName())
        .withPersistentVolumeReclaimPolicy(
            reclaim == null ? PersistentVolumes.RECLAIM_DELETE : reclaim)
        .withNewHostPath()
        .withPath(directory(claim).toString())
        .withType("DirectoryOrCreate")
        .endHostPath()
        .withNewNodeAffinity()
        .withNewRequired()
        .addNewNodeSelectorTerm()
        .addNewMatchExpression()
        .withKey(HOSTNAME_LABEL)
        .withOperator("In")
        .withValues(List.of(hostname))
        .endMatchExpression()
        .endNodeSelectorTerm()
        .endRequired()
        .endNodeAffinity()
        .withClaimRef(
            new ObjectReferenceBuilder()
                .withApiVersion("v1")
                .withKind("PersistentVolumeClaim")
                .withNamespace(claim.getMetadata().getNamespace())
                .withName(claim.getMetadata().getName())
                .withUid(claim.getMetadata().getUid())
                .withResourceVersion(claim.getMetadata().getResourceVersion())
                .build())
        .endSpec()
        .build();
  }
}
