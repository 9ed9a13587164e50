package dev.skiff.controllers.replicaset;

import dev.skiff.controllers.pods.ClientPodControl;
import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RetryOnConflict;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the ReplicaSet and ReplicationController controllers to the API. */
public final class ReplicaSetControllers {
  private ReplicaSetControllers() {}

  public static ControllerRunner replicaSets(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<ReplicaSet> sets = context.informers().forType(ReplicaSet.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("replicaset");
    ReplicaSetController<ReplicaSet> controller =
        new ReplicaSetController<>(
            ReplicaSetKind.INSTANCE,
            sets.getIndexer(),
            pods.getIndexer(),
            new ClientPodControl(client, context.recorder("replicaset-controller")),
            desired ->
                RetryOnConflict.run(
                    () -> {
                      try {
                        return client.apps().replicaSets().resource(desired).updateStatus();
                      } catch (KubernetesClientException e) {
                        if (!RetryOnConflict.isConflict(e)) {
                          throw e;
                        }
                        ReplicaSet latest =
                            client
                                .apps()
                                .replicaSets()
                                .inNamespace(desired.getMetadata().getNamespace())
                                .withName(desired.getMetadata().getName())
                                .get();
                        if (latest == null) {
                          return desired;
                        }
                        latest.setStatus(desired.getStatus());
                        return client.apps().replicaSets().resource(latest).updateStatus();
                      }
                    }),
            key ->
                client.apps().replicaSets().inNamespace(key.namespace()).withName(key.name()).get(),
            new ControllerExpectations(context.clock()),
            queue,
            context.clock());
    sets.addEventHandler(controller.setHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner("replicaset", queue, controller, sets, pods);
  }

  public static ControllerRunner replicationControllers(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<ReplicationController> sets =
        context.informers().forType(ReplicationController.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("replicationcontroller");
    ReplicaSetController<ReplicationController> controller =
        new ReplicaSetController<>(
            ReplicationControllerKind.INSTANCE,
            sets.getIndexer(),
            pods.getIndexer(),
            new ClientPodControl(client, context.recorder("replication-controller")),
            desired ->
                RetryOnConflict.run(
                    () -> {
                      try {
                        return client.replicationControllers().resource(desired).updateStatus();
                      } catch (KubernetesClientException e) {
                        if (!RetryOnConflict.isConflict(e)) {
                          throw e;
                        }
                        ReplicationController latest =
                            client
                                .replicationControllers()
                                .inNamespace(desired.getMetadata().getNamespace())
                                .withName(desired.getMetadata().getName())
                                .get();
                        if (latest == null) {
                          return desired;
                        }
                        latest.setStatus(desired.getStatus());
                        return client.replicationControllers().resource(latest).updateStatus();
                      }
                    }),
            key ->
                client
                    .replicationControllers()
                    .inNamespace(key.namespace())
                    .withName(key.name())
                    .get(),
            new ControllerExpectations(context.clock()),
            queue,
            context.clock());
    sets.addEventHandler(controller.setHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner("replicationcontroller", queue, controller, sets, pods);
  }
}
