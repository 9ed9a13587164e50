package dev.skiff.scheduler.framework;

import dev.skiff.scheduler.queue.QueuedPodInfo;

/** Orders the active queue. */
public interface QueueSortPlugin extends Plugin {
  boolean less(QueuedPodInfo a, QueuedPodInfo b);
}
