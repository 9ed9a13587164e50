package dev.skiff.controllers.volume;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Annotation keys, phases and small facts about volumes and claims, as Kubernetes names them. */
final class PersistentVolumes {
  static final String ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
  static final String ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
  static final String ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
  static final String ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
  static final String ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
  static final String ANN_BETA_STORAGE_PROVISIONER =
      "volume.beta.kubernetes.io/storage-provisioner";
  static final String ANN_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
  static final String ANN_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

  static final String CLAIM_PENDING = "Pending";
  static final String CLAIM_BOUND = "Bound";
  static final String CLAIM_LOST = "Lost";
  static final String VOLUME_AVAILABLE = "Available";
  static final String VOLUME_BOUND = "Bound";
  static final String VOLUME_RELEASED = "Released";
  static final String VOLUME_FAILED = "Failed";

  static final String RECLAIM_RETAIN = "Retain";
  static final String RECLAIM_DELETE = "Delete";
  static final String RECLAIM_RECYCLE = "Recycle";

  static final String STORAGE = "storage";
  static final String FILESYSTEM = "Filesystem";

  private PersistentVolumes() {}

  /** The claim's class: the beta annotation wins, then spec.storageClassName, else "". */
  static String claimClass(PersistentVolumeClaim claim) {
    String annotated = annotation(claim, ANN_BETA_STORAGE_CLASS);
    if (annotated != null) {
      return annotated;
    }
    String name = claim.getSpec() == null ? null : claim.getSpec().getStorageClassName();
    return name == null ? "" : name;
  }

  /** The volume's class: the beta annotation wins, then spec.storageClassName, else "". */
  static String volumeClass(PersistentVolume volume) {
    String annotated = annotation(volume, ANN_BETA_STORAGE_CLASS);
    if (annotated != null) {
      return annotated;
    }
    String name = volume.getSpec() == null ? null : volume.getSpec().getStorageClassName();
    return name == null ? "" : name;
  }

  /** Whether the volume's claimRef names this claim (any uid when the ref has none). */
  static boolean isVolumeBoundToClaim(PersistentVolume volume, PersistentVolumeClaim claim) {
    ObjectReference ref = volume.getSpec() == null ? null : volume.getSpec().getClaimRef();
    if (ref == null) {
      return false;
    }
    if (!Objects.equals(ref.getName(), claim.getMetadata().getName())
        || !Objects.equals(
            Objects.requireNonNullElse(ref.getNamespace(), ""),
            Objects.requireNonNullElse(claim.getMetadata().getNamespace(), ""))) {
      return false;
    }
    return ref.getUid() == null
        || ref.getUid().isEmpty()
        || ref.getUid().equals(claim.getMetadata().getUid());
  }

  /** The claim's storage request in bytes, 0 when it asks for none. */
  static BigDecimal requestedStorage(PersistentVolumeClaim claim) {
    if (claim.getSpec() == null || claim.getSpec().getResources() == null) {
      return BigDecimal.ZERO;
    }
    return amount(claim.getSpec().getResources().getRequests());
  }

  /** The volume's storage capacity in bytes, 0 when it declares none. */
  static BigDecimal capacity(PersistentVolume volume) {
    return volume.getSpec() == null ? BigDecimal.ZERO : amount(volume.getSpec().getCapacity());
  }

  private static BigDecimal amount(Map<String, Quantity> resources) {
    if (resources == null || resources.get(STORAGE) == null) {
      return BigDecimal.ZERO;
    }
    return resources.get(STORAGE).getNumericalAmount();
  }

  static String claimVolumeMode(PersistentVolumeClaim claim) {
    String mode = claim.getSpec() == null ? null : claim.getSpec().getVolumeMode();
    return mode == null ? FILESYSTEM : mode;
  }

  static String volumeMode(PersistentVolume volume) {
    String mode = volume.getSpec() == null ? null : volume.getSpec().getVolumeMode();
    return mode == null ? FILESYSTEM : mode;
  }

  /** Whether the volume offers every access mode the claim asks for. */
  static boolean accessModesSatisfied(PersistentVolumeClaim claim, PersistentVolume volume) {
    List<String> wanted = claim.getSpec() == null ? null : claim.getSpec().getAccessModes();
    List<String> offered = volume.getSpec() == null ? null : volume.getSpec().getAccessModes();
    return wanted == null || offered != null && offered.containsAll(wanted);
  }

  static String annotation(HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }

  static boolean hasAnnotation(HasMetadata object, String key) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(key);
  }

  static String volumePhase(PersistentVolume volume) {
    return volume.getStatus() == null ? null : volume.getStatus().getPhase();
  }

  static String claimPhase(PersistentVolumeClaim claim) {
    return claim.getStatus() == null ? null : claim.getStatus().getPhase();
  }

  static String reclaimPolicy(PersistentVolume volume) {
    String policy = volume.getSpec().getPersistentVolumeReclaimPolicy();
    return policy == null ? RECLAIM_RETAIN : policy;
  }

  /** "namespace/name" of a claim, as Kubernetes prints it in event messages. */
  static String claimKey(PersistentVolumeClaim claim) {
    return claim.getMetadata().getNamespace() + "/" + claim.getMetadata().getName();
  }
}
