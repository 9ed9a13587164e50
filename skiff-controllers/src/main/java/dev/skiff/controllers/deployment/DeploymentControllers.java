package dev.skiff.controllers.deployment;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the Deployment controller to the API. */
public final class DeploymentControllers {
  private DeploymentControllers() {}

  public static ControllerRunner deployments(ControllerContext context) {
    SharedIndexInformer<Deployment> deployments = context.informers().forType(Deployment.class);
    SharedIndexInformer<ReplicaSet> sets = context.informers().forType(ReplicaSet.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("deployment");
    DeploymentController controller =
        new DeploymentController(
            deployments.getIndexer(),
            sets.getIndexer(),
            pods.getIndexer(),
            new ClientDeploymentWriter(context.client()),
            context.recorder("deployment-controller"),
            queue,
            context.clock());
    deployments.addEventHandler(controller.deploymentHandler());
    sets.addEventHandler(controller.replicaSetHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner("deployment", queue, controller, deployments, sets, pods);
  }
}
