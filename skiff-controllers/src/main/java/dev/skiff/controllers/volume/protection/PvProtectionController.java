package dev.skiff.controllers.volume.protection;

import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.function.Consumer;

/**
 * Kubernetes' pv-protection controller: a PersistentVolume being deleted keeps its {@code
 * kubernetes.io/pv-protection} finalizer while it is Bound (status.phase), and loses it once it is
 * not; a volume that is not being deleted and lacks the finalizer gets it.
 */
public final class PvProtectionController implements Reconciler {
  public static final String FINALIZER = "kubernetes.io/pv-protection";

  private final Indexer<PersistentVolume> volumes;
  private final ProtectionClient client;
  private final Consumer<ObjectKey> enqueue;

  PvProtectionController(
      Indexer<PersistentVolume> volumes, ProtectionClient client, Consumer<ObjectKey> enqueue) {
    this.volumes = volumes;
    this.client = client;
    this.enqueue = enqueue;
  }

  public ResourceEventHandler<PersistentVolume> volumeHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(PersistentVolume volume) {
        enqueueIfRelevant(volume);
      }

      @Override
      public void onUpdate(PersistentVolume old, PersistentVolume volume) {
        enqueueIfRelevant(volume);
      }

      @Override
      public void onDelete(PersistentVolume volume, boolean unknown) {}
    };
  }

  private void enqueueIfRelevant(PersistentVolume volume) {
    if (Finalizers.awaitsRelease(volume.getMetadata(), FINALIZER)
        || Finalizers.needsAdding(volume.getMetadata(), FINALIZER)) {
      enqueue.accept(ObjectKey.clusterScoped(volume.getMetadata().getName()));
    }
  }

  /** Whether a volume is in use: it is while its phase is Bound. */
  static boolean isBound(PersistentVolume volume) {
    return volume.getStatus() != null && "Bound".equals(volume.getStatus().getPhase());
  }

  @Override
  public Result reconcile(ObjectKey key) {
    PersistentVolume volume = volumes.getByKey(key.cacheKey());
    if (volume == null) {
      return Result.done();
    }
    if (Finalizers.awaitsRelease(volume.getMetadata(), FINALIZER)) {
      if (!isBound(volume)) {
        client.updateVolume(
            new PersistentVolumeBuilder(volume)
                .editMetadata()
                .withFinalizers(Finalizers.without(volume.getMetadata(), FINALIZER))
                .endMetadata()
                .build());
      }
    } else if (Finalizers.needsAdding(volume.getMetadata(), FINALIZER)) {
      client.updateVolume(
          new PersistentVolumeBuilder(volume)
              .editMetadata()
              .withFinalizers(Finalizers.with(volume.getMetadata(), FINALIZER))
              .endMetadata()
              .build());
    }
    return Result.done();
  }
}
