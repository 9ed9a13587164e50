package dev.skiff.controllers.volume;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the persistentvolume-binder (with the built-in local-path provisioner) to the API. */
public final class VolumeControllers {
  public static final String BINDER = "persistentvolume-binder";

  private VolumeControllers() {}

  public static ControllerRunner binder(ControllerContext context) {
    SharedIndexInformer<PersistentVolume> volumes =
        context.informers().forType(PersistentVolume.class);
    SharedIndexInformer<PersistentVolumeClaim> claims =
        context.informers().forType(PersistentVolumeClaim.class);
    SharedIndexInformer<StorageClass> classes = context.informers().forType(StorageClass.class);
    SharedIndexInformer<Node> nodes = context.informers().forType(Node.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue(BINDER);
    PersistentVolumeController controller =
        new PersistentVolumeController(
            volumes.getIndexer(),
            claims.getIndexer(),
            classes.getIndexer(),
            nodes.getIndexer(),
            VolumeClient.of(context.client()),
            context.recorder("persistentvolume-controller"),
            context.recorder(LocalPathProvisioner.NAME),
            context.options().localStoragePath().map(LocalPathProvisioner::new),
            queue::add,
            context.clock());
    volumes.addEventHandler(controller.volumeHandler());
    claims.addEventHandler(controller.claimHandler());
    classes.addEventHandler(controller.classHandler());
    return context.runner(BINDER, queue, controller, volumes, claims, classes, nodes);
  }
}
