package dev.skiff.controllers.disruption;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the disruption controller to the API. */
public final class DisruptionControllers {
  private DisruptionControllers() {}

  public static ControllerRunner disruption(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<PodDisruptionBudget> budgets =
        context.informers().forType(PodDisruptionBudget.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    SharedIndexInformer<ReplicaSet> replicaSets = context.informers().forType(ReplicaSet.class);
    SharedIndexInformer<Deployment> deployments = context.informers().forType(Deployment.class);
    SharedIndexInformer<ReplicationController> rcs =
        context.informers().forType(ReplicationController.class);
    SharedIndexInformer<StatefulSet> statefulSets = context.informers().forType(StatefulSet.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("disruption");
    DisruptionController controller =
        new DisruptionController(
            budgets.getIndexer(),
            pods.getIndexer(),
            ScaleFinder.fromIndexers(
                replicaSets.getIndexer(),
                deployments.getIndexer(),
                rcs.getIndexer(),
                statefulSets.getIndexer()),
            budget -> client.policy().v1().podDisruptionBudget().resource(budget).updateStatus(),
            queue,
            context.clock());
    budgets.addEventHandler(controller.budgetHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner(
        "disruption",
        queue,
        controller,
        budgets,
        pods,
        replicaSets,
        deployments,
        rcs,
        statefulSets);
  }
}
