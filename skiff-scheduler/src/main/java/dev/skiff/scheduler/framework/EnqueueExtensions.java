package dev.skiff.scheduler.framework;

import java.util.Set;

/**
 * The cluster events after which a pod this plugin rejected may become schedulable. Plugins that do
 * not implement it are assumed to care about every event.
 */
public interface EnqueueExtensions {
  Set<ClusterEvent> eventsToRegister();
}
