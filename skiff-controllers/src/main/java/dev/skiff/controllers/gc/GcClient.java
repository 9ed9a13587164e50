package dev.skiff.controllers.gc;

import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;
import java.util.Optional;

/** The garbage collector's reads and writes of arbitrary objects. */
public interface GcClient {
  /** The live object at these coordinates, if any (the owner of a reference, typically). */
  Optional<GraphObject> get(String apiVersion, String kind, String namespace, String name);

  /** Deletes the object if its uid still matches, with a propagation policy. */
  void delete(GraphObject object, String propagationPolicy);

  /** Replaces the object's owner references (guarded by its uid). */
  void patchOwnerReferences(GraphObject object, List<OwnerReference> ownerReferences);

  /** Removes one finalizer (guarded by resourceVersion). */
  void removeFinalizer(GraphObject object, String finalizer);
}
