package dev.skiff.controllers.hpa;

/**
 * A replica count could not be computed from a metric; the message is what Kubernetes puts in the
 * event and the ScalingActive condition.
 */
public final class MetricsUnavailableException extends RuntimeException {
  public MetricsUnavailableException(String message) {
    super(message);
  }
}
