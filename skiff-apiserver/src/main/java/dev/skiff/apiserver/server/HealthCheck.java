package dev.skiff.apiserver.server;

/**
 * One named health check behind /healthz, /livez or /readyz. Runs on a virtual thread per probe; it
 * should answer quickly.
 */
@FunctionalInterface
public interface HealthCheck {
  /** Returns normally when healthy; throws with the reason when not. */
  void check() throws Exception;
}
