package dev.skiff.controllers.statefulset;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import dev.skiff.controllers.runtime.RetryOnConflict;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the StatefulSet controller to the API. */
public final class StatefulSetControllers {
  private StatefulSetControllers() {}

  public static ControllerRunner statefulSets(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<StatefulSet> sets = context.informers().forType(StatefulSet.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    SharedIndexInformer<PersistentVolumeClaim> claims =
        context.informers().forType(PersistentVolumeClaim.class);
    SharedIndexInformer<ControllerRevision> revisions =
        context.informers().forType(ControllerRevision.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("statefulset");
    StatefulSetController controller =
        new StatefulSetController(
            sets.getIndexer(),
            pods.getIndexer(),
            claims.getIndexer(),
            revisions.getIndexer(),
            ObjectWriter.of(client),
            ObjectWriter.of(client),
            ObjectWriter.of(client),
            desired ->
                RetryOnConflict.run(
                    () -> {
                      try {
                        return client.apps().statefulSets().resource(desired).updateStatus();
                      } catch (KubernetesClientException e) {
                        if (!RetryOnConflict.isConflict(e)) {
                          throw e;
                        }
                        StatefulSet latest =
                            client
                                .apps()
                                .statefulSets()
                                .inNamespace(desired.getMetadata().getNamespace())
                                .withName(desired.getMetadata().getName())
                                .get();
                        if (latest == null) {
                          return desired;
                        }
                        latest.setStatus(desired.getStatus());
                        return client.apps().statefulSets().resource(latest).updateStatus();
                      }
                    }),
            key ->
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(key.namespace())
                    .withName(key.name())
                    .get(),
            context.recorder("statefulset-controller"),
            queue,
            context.clock());
    sets.addEventHandler(controller.setHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner("statefulset", queue, controller, sets, pods, claims, revisions);
  }
}
