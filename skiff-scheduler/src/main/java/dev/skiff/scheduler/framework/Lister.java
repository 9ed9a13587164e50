package dev.skiff.scheduler.framework;

import java.util.List;

/** Read access to informer-cached objects of one kind. */
public interface Lister<T> {
  /** The object, or null; {@code namespace} is null for cluster-scoped kinds. */
  T get(String namespace, String name);

  /** Objects in {@code namespace}, or all objects when it is null. */
  List<T> list(String namespace);
}
