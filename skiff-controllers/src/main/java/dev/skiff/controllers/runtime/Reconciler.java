package dev.skiff.controllers.runtime;

/**
 * The one method every controller implements: bring the object named by the key to its desired
 * state, reading from listers and writing through the API. An object absent from its lister has
 * been deleted. Throwing means "retry with backoff".
 */
@FunctionalInterface
public interface Reconciler {
  Result reconcile(ObjectKey key);
}
