package dev.skiff.scheduler.framework;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import java.util.Map;

/** The informer caches plugins read besides nodes and pods. */
public record Listers(
    Lister<PersistentVolumeClaim> claims,
    Lister<PersistentVolume> volumes,
    Lister<StorageClass> storageClasses,
    Lister<PodDisruptionBudget> disruptionBudgets,
    Lister<PriorityClass> priorityClasses,
    Lister<Namespace> namespaces,
    Lister<Service> services,
    Lister<ReplicationController> replicationControllers,
    Lister<ReplicaSet> replicaSets,
    Lister<StatefulSet> statefulSets) {

  /** Listers with nothing in them. */
  public static Listers empty() {
    return new Listers(
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>(),
        new MapLister<>());
  }

  /** The labels of namespace {@code name}, empty when unknown. */
  public Map<String, String> namespaceLabels(String name) {
    Namespace ns = namespaces.get(null, name);
    if (ns == null || ns.getMetadata().getLabels() == null) {
      return Map.of();
    }
    return ns.getMetadata().getLabels();
  }
}
