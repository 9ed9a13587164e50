package dev.skiff.scheduler.framework;

/** Reserves node-local resources for an assumed pod; unreserve undoes it on any later failure. */
public interface ReservePlugin extends Plugin {
  PluginStatus reserve(CycleState state, PodInfo pod, String nodeName);

  void unreserve(CycleState state, PodInfo pod, String nodeName);
}
