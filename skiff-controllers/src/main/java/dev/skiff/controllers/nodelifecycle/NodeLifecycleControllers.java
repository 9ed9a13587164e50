package dev.skiff.controllers.nodelifecycle;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;

/** Wires the node lifecycle controller to the API. */
public final class NodeLifecycleControllers {
  private NodeLifecycleControllers() {}

  public static ControllerRunner nodeLifecycle(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Node> nodes = context.informers().forType(Node.class);
    SharedIndexInformer<Lease> leases = context.informers().forType(Lease.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("node-lifecycle");
    NodeLifecycleController controller =
        new NodeLifecycleController(
            nodes.getIndexer(),
            leases.getIndexer(),
            pods.getIndexer(),
            new NodeWriter() {
              @Override
              public void updateStatus(Node node) {
                client.nodes().resource(node).updateStatus();
              }

              @Override
              public void setTaints(Node node, List<Taint> taints) {
                client
                    .nodes()
                    .withName(node.getMetadata().getName())
                    .edit(
                        n -> {
                          n.getSpec().setTaints(taints.isEmpty() ? null : taints);
                          return n;
                        });
              }

              @Override
              public void evict(Pod pod) {
                try {
                  client
                      .pods()
                      .inNamespace(pod.getMetadata().getNamespace())
                      .withName(pod.getMetadata().getName())
                      .delete();
                } catch (KubernetesClientException e) {
                  if (e.getCode() != 404) {
                    throw e;
                  }
                }
              }
            },
            context.recorder("node-controller"),
            queue,
            context.clock(),
            context.options().nodeMonitorGracePeriod());
    nodes.addEventHandler(controller.nodeHandler());
    return context.runner("node-lifecycle", queue, controller, nodes, leases, pods);
  }
}
