package dev.skiff.kubelet.eviction;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Map;

/**
 * What the eviction manager measures: the node's signals and the pods' use. Injected, so that a
 * test can simulate pressure without filling the disk or the memory.
 */
public interface EvictionSignals {

  /** What is available of a signal's resource and the capacity it is a part of. */
  record Observation(long available, long capacity) {}

  /** The signals that could be measured now; a signal missing is not evaluated. */
  Map<Signal, Observation> observe();

  /**
   * What each container of the pod uses of the resource a signal watches (memory working set for
   * memory, bytes written for disk), by container name; empty when unknown.
   */
  Map<String, Long> containerUsage(Pod pod, Signal signal);
}
