package dev.skiff.controllers.daemonset;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import dev.skiff.controllers.runtime.RetryOnConflict;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the DaemonSet controller to the API. */
public final class DaemonSetControllers {
  private DaemonSetControllers() {}

  public static ControllerRunner daemonSets(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<DaemonSet> sets = context.informers().forType(DaemonSet.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    SharedIndexInformer<Node> nodes = context.informers().forType(Node.class);
    SharedIndexInformer<ControllerRevision> revisions =
        context.informers().forType(ControllerRevision.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("daemonset");
    DaemonSetController controller =
        new DaemonSetController(
            sets.getIndexer(),
            pods.getIndexer(),
            nodes.getIndexer(),
            revisions.getIndexer(),
            ObjectWriter.of(client),
            ObjectWriter.of(client),
            desired ->
                RetryOnConflict.run(
                    () -> {
                      try {
                        return client.apps().daemonSets().resource(desired).updateStatus();
                      } catch (KubernetesClientException e) {
                        if (!RetryOnConflict.isConflict(e)) {
                          throw e;
                        }
                        DaemonSet latest =
                            client
                                .apps()
                                .daemonSets()
                                .inNamespace(desired.getMetadata().getNamespace())
                                .withName(desired.getMetadata().getName())
                                .get();
                        if (latest == null) {
                          return desired;
                        }
                        latest.setStatus(desired.getStatus());
                        return client.apps().daemonSets().resource(latest).updateStatus();
                      }
                    }),
            context.recorder("daemonset-controller"),
            new ControllerExpectations(context.clock()),
            queue,
            context.clock());
    sets.addEventHandler(controller.daemonSetHandler());
    pods.addEventHandler(controller.podHandler());
    nodes.addEventHandler(controller.nodeHandler());
    return context.runner("daemonset", queue, controller, sets, pods, nodes, revisions);
  }
}
