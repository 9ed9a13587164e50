package dev.skiff.apiserver.registry;

import tools.jackson.databind.node.ObjectNode;

/**
 * An optional strategy hook, Kubernetes' BeginCreate: a strategy that reserves something in {@link
 * ResourceStrategy#prepareForCreate} or {@link ResourceStrategy#validate} (a service's cluster IP
 * and node ports) learns how the create ended, to keep the reservation or give it back.
 */
public interface CreateFinisher {

  /**
   * Called once per create that reached prepareForCreate: {@code stored} is true when the object
   * was written (its resourceVersion is then set), false when the create failed at any later step
   * or was a dry run.
   */
  void finishCreate(ObjectNode object, boolean stored);
}
