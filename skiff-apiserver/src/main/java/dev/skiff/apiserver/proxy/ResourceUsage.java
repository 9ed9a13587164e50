package dev.skiff.apiserver.proxy;

import java.time.Duration;
import java.time.Instant;

/**
 * CPU and memory of a node or container over one window, as metrics-server reports it: CPU as the
 * rate between two cumulative readings, memory as the working set at the later one.
 *
 * @param nanocores CPU in billionths of a core
 * @param memoryBytes working-set memory
 * @param timestamp when the later reading was taken
 * @param window the time between the two readings
 */
record ResourceUsage(long nanocores, long memoryBytes, Instant timestamp, Duration window) {

  /** One cumulative reading: CPU seconds used so far and the working set, at a time. */
  record Reading(double cpuSeconds, double memoryBytes, Instant at) {}

  /** The usage between two readings; null when they do not make a window (same time, reset). */
  static ResourceUsage between(Reading earlier, Reading later) {
    if (earlier == null
        || later == null
        || !later.at().isAfter(earlier.at())
        || later.cpuSeconds() < earlier.cpuSeconds()) {
      return null;
    }
    Duration window = Duration.between(earlier.at(), later.at());
    double seconds = window.toNanos() / 1e9;
    long nanocores = Math.round((later.cpuSeconds() - earlier.cpuSeconds()) / seconds * 1e9);
    return new ResourceUsage(nanocores, Math.round(later.memoryBytes()), later.at(), window);
  }
}
