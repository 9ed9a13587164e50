package dev.skiff.scheduler.framework;

/** Decides whether a pod may enter the active queue at all (e.g. scheduling gates). */
public interface PreEnqueuePlugin extends Plugin {
  PluginStatus preEnqueue(PodInfo pod);
}
