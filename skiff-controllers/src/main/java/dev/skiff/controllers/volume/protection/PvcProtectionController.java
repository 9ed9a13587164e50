package dev.skiff.controllers.volume.protection;

import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Kubernetes' pvc-protection controller: a PersistentVolumeClaim being deleted keeps its {@code
 * kubernetes.io/pvc-protection} finalizer while a scheduled pod that is not shut down uses it
 * (asked of the pod cache first, then of the API server, as the cache may lag), and loses it once
 * none does; a claim that is not being deleted and lacks the finalizer gets it.
 */
public final class PvcProtectionController implements Reconciler {
  public static final String FINALIZER = "kubernetes.io/pvc-protection";

  private final Indexer<PersistentVolumeClaim> claims;
  private final Indexer<Pod> pods;
  private final ProtectionClient client;
  private final Consumer<ObjectKey> enqueue;

  PvcProtectionController(
      Indexer<PersistentVolumeClaim> claims,
      Indexer<Pod> pods,
      ProtectionClient client,
      Consumer<ObjectKey> enqueue) {
    this.claims = claims;
    this.pods = pods;
    this.client = client;
    this.enqueue = enqueue;
  }

  public ResourceEventHandler<PersistentVolumeClaim> claimHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(PersistentVolumeClaim claim) {
        enqueueIfRelevant(claim);
      }

      @Override
      public void onUpdate(PersistentVolumeClaim old, PersistentVolumeClaim claim) {
        enqueueIfRelevant(claim);
      }

      @Override
      public void onDelete(PersistentVolumeClaim claim, boolean unknown) {}
    };
  }

  /**
   * Pod events that can free a claim: the pod went, finished, or is not scheduled. The claims of a
   * replaced pod (same name, other uid) are looked at too.
   */
  public ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        enqueueClaims(pod, false);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        enqueueClaims(pod, false);
        if (!Objects.equals(old.getMetadata().getUid(), pod.getMetadata().getUid())) {
          enqueueClaims(old, true);
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        enqueueClaims(pod, true);
      }
    };
  }

  private void enqueueIfRelevant(PersistentVolumeClaim claim) {
    if (Finalizers.awaitsRelease(claim.getMetadata(), FINALIZER)
        || Finalizers.needsAdding(claim.getMetadata(), FINALIZER)) {
      enqueue.accept(ObjectKey.of(claim));
    }
  }

  private void enqueueClaims(Pod pod, boolean deleted) {
    if (!deleted && isScheduled(pod) && !isShutDown(pod)) {
      return;
    }
    for (String claim : claimNames(pod)) {
      enqueue.accept(new ObjectKey(pod.getMetadata().getNamespace(), claim));
    }
  }

  /** The claims a pod's volumes name: persistentVolumeClaim sources and generic ephemeral ones. */
  static List<String> claimNames(Pod pod) {
    List<String> names = new ArrayList<>();
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
      return names;
    }
    for (Volume volume : pod.getSpec().getVolumes()) {
      if (volume.getPersistentVolumeClaim() != null) {
        names.add(volume.getPersistentVolumeClaim().getClaimName());
      } else if (volume.getEphemeral() != null) {
        names.add(ephemeralClaimName(pod, volume));
      }
    }
    return names;
  }

  private static String ephemeralClaimName(Pod pod, Volume volume) {
    return pod.getMetadata().getName() + "-" + volume.getName();
  }

  private static boolean isScheduled(Pod pod) {
    return pod.getSpec() != null
        && pod.getSpec().getNodeName() != null
        && !pod.getSpec().getNodeName().isEmpty();
  }

  /**
   * Whether the kubelet is done with a pod: it is Succeeded or Failed, or it is being deleted with
   * a zero grace period (the kubelet confirmed, or it was force-deleted).
   */
  static boolean isShutDown(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return true;
    }
    Long grace = pod.getMetadata().getDeletionGracePeriodSeconds();
    return pod.getMetadata().getDeletionTimestamp() != null && grace != null && grace == 0;
  }

  /**
   * Whether {@code pod} uses {@code claim}: it is scheduled (the kubelet only sees scheduled pods
   * and does not start one whose claim is being deleted), not shut down, and one of its volumes
   * names the claim; a generic ephemeral volume counts only when the claim is owned by the pod.
   */
  static boolean podUsesClaim(Pod pod, PersistentVolumeClaim claim) {
    if (!isScheduled(pod) || isShutDown(pod)) {
      return false;
    }
    String name = claim.getMetadata().getName();
    for (Volume volume :
        pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      if (volume.getPersistentVolumeClaim() != null
          && name.equals(volume.getPersistentVolumeClaim().getClaimName())) {
        return true;
      }
      if (volume.getEphemeral() != null
          && name.equals(ephemeralClaimName(pod, volume))
          && ownedBy(claim, pod)) {
        return true;
      }
    }
    return false;
  }

  private static boolean ownedBy(PersistentVolumeClaim claim, Pod pod) {
    List<OwnerReference> owners = claim.getMetadata().getOwnerReferences();
    if (owners == null) {
      return false;
    }
    for (OwnerReference owner : owners) {
      if (Boolean.TRUE.equals(owner.getController())
          && Objects.equals(owner.getUid(), pod.getMetadata().getUid())) {
        return true;
      }
    }
    return false;
  }

  private boolean isBeingUsed(PersistentVolumeClaim claim) {
    String namespace = claim.getMetadata().getNamespace();
    for (Pod pod : pods.byIndex(Cache.NAMESPACE_INDEX, namespace)) {
      if (podUsesClaim(pod, claim)) {
        return true;
      }
    }
    // the cache may not show a pod the API server already has
    for (Pod pod : client.listPods(namespace)) {
      if (podUsesClaim(pod, claim)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Result reconcile(ObjectKey key) {
    PersistentVolumeClaim claim = claims.getByKey(key.cacheKey());
    if (claim == null) {
      return Result.done();
    }
    if (Finalizers.awaitsRelease(claim.getMetadata(), FINALIZER)) {
      if (!isBeingUsed(claim)) {
        client.updateClaim(
            new PersistentVolumeClaimBuilder(claim)
                .editMetadata()
                .withFinalizers(Finalizers.without(claim.getMetadata(), FINALIZER))
                .endMetadata()
                .build());
      }
    } else if (Finalizers.needsAdding(claim.getMetadata(), FINALIZER)) {
      client.updateClaim(
          new PersistentVolumeClaimBuilder(claim)
              .editMetadata()
              .withFinalizers(Finalizers.with(claim.getMetadata(), FINALIZER))
              .endMetadata()
              .build());
    }
    return Result.done();
  }
}
