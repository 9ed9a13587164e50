package dev.skiff.apiserver.registry;

import tools.jackson.databind.node.ObjectNode;

/**
 * An optional strategy hook, the update counterpart of {@link CreateFinisher}: a strategy that
 * reserves something in {@link ResourceStrategy#prepareForUpdate} or {@link
 * ResourceStrategy#validateUpdate} (a service's new cluster IP and node ports) learns how the
 * update attempt ended, to keep the reservation or give it back.
 */
public interface UpdateFinisher {

  /**
   * Called once per update attempt of the main resource (not status) after prepareForUpdate might
   * have run, with the same {@code object} instance prepareForUpdate was given: {@code stored} is
   * true when the object was written (its resourceVersion is then set), false when the attempt
   * failed at any later step, lost a conflict (a retry prepares again), changed nothing or was a
   * dry run.
   */
  void finishUpdate(ObjectNode object, ObjectNode old, boolean stored);
}
