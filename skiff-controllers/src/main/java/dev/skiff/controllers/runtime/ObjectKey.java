package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * The work-queue key of an object: its namespace ("" for cluster-scoped objects) and name.
 *
 * @param namespace namespace, "" for cluster-scoped objects
 * @param name object name
 */
public record ObjectKey(String namespace, String name) implements Comparable<ObjectKey> {

  public ObjectKey {
    namespace = namespace == null ? "" : namespace;
    Objects.requireNonNull(name, "name");
  }

  public static ObjectKey of(HasMetadata object) {
    return new ObjectKey(object.getMetadata().getNamespace(), object.getMetadata().getName());
  }

  public static ObjectKey clusterScoped(String name) {
    return new ObjectKey("", name);
  }

  /** The key fabric8 informer caches use: "namespace/name", or "name" when cluster-scoped. */
  public String cacheKey() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(ObjectKey other) {
    int byNamespace = namespace.compareTo(other.namespace);
    return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return cacheKey();
  }
}
