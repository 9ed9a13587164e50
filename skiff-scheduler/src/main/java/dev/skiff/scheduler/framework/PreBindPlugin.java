package dev.skiff.scheduler.framework;

/**
 * Work that must succeed before binding (e.g. provisioning volumes); runs off the scheduling loop.
 */
public interface PreBindPlugin extends Plugin {
  PluginStatus preBind(CycleState state, PodInfo pod, String nodeName);
}
