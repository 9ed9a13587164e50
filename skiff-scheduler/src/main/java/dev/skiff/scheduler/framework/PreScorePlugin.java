package dev.skiff.scheduler.framework;

import java.util.List;

/** Computes per-cycle scoring state over the feasible nodes; SKIP disables the plugin's Score. */
public interface PreScorePlugin extends Plugin {
  PluginStatus preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes);
}
