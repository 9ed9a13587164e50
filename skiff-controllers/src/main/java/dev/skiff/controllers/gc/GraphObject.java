package dev.skiff.controllers.gc;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;

/**
 * What the garbage collector knows of an object: identity, owners and deletion state.
 *
 * @param namespace "" for cluster-scoped objects
 */
public record GraphObject(
    String apiVersion,
    String kind,
    String namespace,
    String name,
    String uid,
    String resourceVersion,
    List<OwnerReference> ownerReferences,
    List<String> finalizers,
    boolean deleting) {

  public static final String ORPHAN = "orphan";
  public static final String FOREGROUND = "foregroundDeletion";

  public GraphObject {
    namespace = namespace == null ? "" : namespace;
    ownerReferences = ownerReferences == null ? List.of() : List.copyOf(ownerReferences);
    finalizers = finalizers == null ? List.of() : List.copyOf(finalizers);
  }

  public static GraphObject of(HasMetadata object) {
    return new GraphObject(
        object.getApiVersion(),
        object.getKind(),
        object.getMetadata().getNamespace(),
        object.getMetadata().getName(),
        object.getMetadata().getUid(),
        object.getMetadata().getResourceVersion(),
        object.getMetadata().getOwnerReferences(),
        object.getMetadata().getFinalizers(),
        object.getMetadata().getDeletionTimestamp() != null);
  }

  /** Being deleted and waiting for its blocking dependents (foreground deletion). */
  public boolean deletingDependents() {
    return deleting && finalizers.contains(FOREGROUND);
  }

  public boolean orphaningDependents() {
    return deleting && finalizers.contains(ORPHAN);
  }

  /** kind/namespace/name, for logs. */
  public String describe() {
    return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
  }
}
