package dev.skiff.apiserver.registry;

import tools.jackson.databind.node.ObjectNode;

/** Optional capability of a {@link ResourceStrategy}: graceful deletion and deletion holds. */
public interface DeletionStrategy {

  /**
   * The grace period before the object may be removed; 0 removes it at once (finalizers still hold
   * it).
   *
   * @param requested the client's gracePeriodSeconds, null when not given
   */
  default long gracePeriodSeconds(ObjectNode object, Long requested) {
    return 0;
  }

  /**
   * Marks the object as terminating when a delete starts (e.g. a namespace's status.phase) and
   * answers whether something other than metadata.finalizers keeps it (a namespace's
   * spec.finalizers).
   */
  default boolean holdsOnDelete(ObjectNode object) {
    return false;
  }

  /** Whether a delete that removes the object answers with it rather than a Status. */
  default boolean returnsDeletedObject() {
    return false;
  }
}
