package dev.skiff.controllers.replicaset;

/** Writes an object's status subresource (retrying on conflict against the latest object). */
@FunctionalInterface
public interface StatusWriter<T> {
  T updateStatus(T withNewStatus);
}
