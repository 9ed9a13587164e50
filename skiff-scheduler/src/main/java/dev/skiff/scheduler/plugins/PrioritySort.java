package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.QueueSortPlugin;
import dev.skiff.scheduler.queue.QueuedPodInfo;

/** Orders the active queue by priority (higher first), then by queue timestamp (older first). */
public final class PrioritySort implements QueueSortPlugin {
  public static final String NAME = "PrioritySort";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
    int pa = a.podInfo().priority();
    int pb = b.podInfo().priority();
    return pa > pb || (pa == pb && a.timestamp().isBefore(b.timestamp()));
  }
}
