package dev.skiff.scheduler.framework;

/** Binds the pod to the node; SKIP hands over to the next bind plugin. */
public interface BindPlugin extends Plugin {
  PluginStatus bind(CycleState state, PodInfo pod, String nodeName);
}
