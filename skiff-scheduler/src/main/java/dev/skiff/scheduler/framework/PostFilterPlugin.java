package dev.skiff.scheduler.framework;

import java.util.Map;

/** Runs when no node fits (preemption). */
public interface PostFilterPlugin extends Plugin {
  PostFilterResult postFilter(
      CycleState state, PodInfo pod, Map<String, PluginStatus> nodeToStatus);
}
