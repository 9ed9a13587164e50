package dev.skiff.scheduler.framework;

import java.util.List;

/**
 * Computes per-cycle state before filtering; may restrict the candidate nodes. Plugins whose state
 * depends on the pods of a node implement {@link #addPod}/{@link #removePod} so that preemption and
 * nominated pods can adjust it.
 */
public interface PreFilterPlugin extends Plugin {
  PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes);

  default PluginStatus addPod(CycleState state, PodInfo pod, PodInfo podToAdd, NodeInfo node) {
    return PluginStatus.SUCCESS;
  }

  default PluginStatus removePod(
      CycleState state, PodInfo pod, PodInfo podToRemove, NodeInfo node) {
    return PluginStatus.SUCCESS;
  }
}
