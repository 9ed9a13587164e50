package dev.skiff.controllers.runtime;

import java.time.Duration;

/** What a work queue reports about itself; {@link #NONE} reports nothing. */
public interface QueueMetrics {
  QueueMetrics NONE = new QueueMetrics() {};

  default void added(int depth) {}

  default void started(Duration waited, int depth) {}

  default void finished(Duration worked) {}

  default void retried() {}
}
