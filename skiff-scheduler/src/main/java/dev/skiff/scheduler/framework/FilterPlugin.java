package dev.skiff.scheduler.framework;

/** Rejects nodes that cannot run the pod; called concurrently for different nodes. */
public interface FilterPlugin extends Plugin {
  PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node);
}
