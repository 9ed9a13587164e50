package dev.skiff.controllers.volume.protection;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the pvc-protection and pv-protection controllers to the API. */
public final class ProtectionControllers {
  public static final String PVC_PROTECTION = "pvc-protection";
  public static final String PV_PROTECTION = "pv-protection";

  private ProtectionControllers() {}

  public static ControllerRunner pvcProtection(ControllerContext context) {
    SharedIndexInformer<PersistentVolumeClaim> claims =
        context.informers().forType(PersistentVolumeClaim.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue(PVC_PROTECTION);
    PvcProtectionController controller =
        new PvcProtectionController(
            claims.getIndexer(),
            pods.getIndexer(),
            ProtectionClient.of(context.client()),
            queue::add);
    claims.addEventHandler(controller.claimHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner(PVC_PROTECTION, queue, controller, claims, pods);
  }

  public static ControllerRunner pvProtection(ControllerContext context) {
    SharedIndexInformer<PersistentVolume> volumes =
        context.informers().forType(PersistentVolume.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue(PV_PROTECTION);
    PvProtectionController controller =
        new PvProtectionController(
            volumes.getIndexer(), ProtectionClient.of(context.client()), queue::add);
    volumes.addEventHandler(controller.volumeHandler());
    return context.runner(PV_PROTECTION, queue, controller, volumes);
  }
}
