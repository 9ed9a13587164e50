package dev.skiff.controllers.disruption;

import dev.skiff.controllers.pods.Pods;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the scalable controller behind a pod's controllerRef and its desired replica count, as
 * Kubernetes' disruption controller does: a ReplicaSet owned by a Deployment counts as the
 * Deployment; otherwise ReplicaSet, ReplicationController and StatefulSet count themselves.
 */
@FunctionalInterface
public interface ScaleFinder {
  /** A controller and its desired scale. */
  record ControllerScale(String uid, int replicas) {}

  Optional<ControllerScale> find(OwnerReference controllerRef, String namespace);

  /** A finder reading the controllers' informer caches. */
  static ScaleFinder fromIndexers(
      Indexer<ReplicaSet> replicaSets,
      Indexer<Deployment> deployments,
      Indexer<ReplicationController> replicationControllers,
      Indexer<StatefulSet> statefulSets) {
    return (ref, namespace) -> {
      String key = namespace + "/" + ref.getName();
      switch (ref.getKind()) {
        case "ReplicaSet" -> {
          if (!ref.getApiVersion().startsWith("apps/")) {
            return Optional.empty();
          }
          ReplicaSet rs = replicaSets.getByKey(key);
          if (rs == null || !Objects.equals(rs.getMetadata().getUid(), ref.getUid())) {
            return Optional.empty();
          }
          Optional<OwnerReference> owner = Pods.controllerRef(rs);
          if (owner.isPresent() && owner.get().getKind().equals("Deployment")) {
            Deployment d = deployments.getByKey(namespace + "/" + owner.get().getName());
            if (d == null || !Objects.equals(d.getMetadata().getUid(), owner.get().getUid())) {
              return Optional.empty();
            }
            return Optional.of(
                new ControllerScale(d.getMetadata().getUid(), replicas(d.getSpec().getReplicas())));
          }
          return Optional.of(
              new ControllerScale(rs.getMetadata().getUid(), replicas(rs.getSpec().getReplicas())));
        }
        case "ReplicationController" -> {
          ReplicationController rc = replicationControllers.getByKey(key);
          if (rc == null || !Objects.equals(rc.getMetadata().getUid(), ref.getUid())) {
            return Optional.empty();
          }
          return Optional.of(
              new ControllerScale(rc.getMetadata().getUid(), replicas(rc.getSpec().getReplicas())));
        }
        case "StatefulSet" -> {
          StatefulSet ss = statefulSets.getByKey(key);
          if (ss == null || !Objects.equals(ss.getMetadata().getUid(), ref.getUid())) {
            return Optional.empty();
          }
          return Optional.of(
              new ControllerScale(ss.getMetadata().getUid(), replicas(ss.getSpec().getReplicas())));
        }
        default -> {
          return Optional.empty();
        }
      }
    };
  }

  private static int replicas(Integer replicas) {
    return replicas == null ? 1 : replicas;
  }
}
