package dev.skiff.scheduler.framework;

import java.time.Duration;

/** A Permit outcome; WAIT carries the longest time the pod may wait for approval. */
public record PermitResult(PluginStatus status, Duration timeout) {
  public static final PermitResult ALLOW = new PermitResult(PluginStatus.SUCCESS, Duration.ZERO);
}
