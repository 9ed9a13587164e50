package dev.skiff.kubelet.prober;

import io.fabric8.kubernetes.api.model.Probe;

/** A probe's timing fields with Kubernetes' defaults for the ones left unset. */
final class ProbeSpec {
  private ProbeSpec() {}

  static int initialDelaySeconds(Probe p) {
    return p.getInitialDelaySeconds() == null ? 0 : Math.max(0, p.getInitialDelaySeconds());
  }

  static int periodSeconds(Probe p) {
    return positive(p.getPeriodSeconds(), 10);
  }

  static int timeoutSeconds(Probe p) {
    return positive(p.getTimeoutSeconds(), 1);
  }

  /** Liveness and startup probes must succeed once; validation enforces it, so do we. */
  static int successThreshold(Probe p, ProbeType type) {
    return type == ProbeType.READINESS ? positive(p.getSuccessThreshold(), 1) : 1;
  }

  static int failureThreshold(Probe p) {
    return positive(p.getFailureThreshold(), 3);
  }

  private static int positive(Integer value, int dflt) {
    return value == null || value < 1 ? dflt : value;
  }
}
