package dev.skiff.scheduler.queue;

import dev.skiff.scheduler.framework.PodInfo;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** A pod in the scheduling queue with its attempt bookkeeping. */
public final class QueuedPodInfo {
  private PodInfo podInfo;
  private Instant timestamp;
  private final Instant initialAttemptTimestamp;
  private int attempts;
  private final Set<String> unschedulablePlugins = new HashSet<>();
  private boolean gated;

  public QueuedPodInfo(PodInfo podInfo, Instant timestamp) {
    this.podInfo = podInfo;
    this.timestamp = timestamp;
    this.initialAttemptTimestamp = timestamp;
  }

  public PodInfo podInfo() {
    return podInfo;
  }

  void setPodInfo(PodInfo podInfo) {
    this.podInfo = podInfo;
  }

  /** When the pod was (re-)added to the queue; the queue-sort FIFO key and backoff base. */
  public Instant timestamp() {
    return timestamp;
  }

  void setTimestamp(Instant timestamp) {
    this.timestamp = timestamp;
  }

  /** When the pod entered the queue the first time (for end-to-end latency). */
  public Instant initialAttemptTimestamp() {
    return initialAttemptTimestamp;
  }

  public int attempts() {
    return attempts;
  }

  void incrementAttempts() {
    attempts++;
  }

  /** Plugins that rejected the pod in its last attempt; empty after an error. */
  public Set<String> unschedulablePlugins() {
    return unschedulablePlugins;
  }

  public boolean gated() {
    return gated;
  }

  void setGated(boolean gated) {
    this.gated = gated;
  }
}
