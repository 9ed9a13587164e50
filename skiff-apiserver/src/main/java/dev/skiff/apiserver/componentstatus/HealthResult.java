package dev.skiff.apiserver.componentstatus;

/**
 * The outcome of one component's health probe.
 *
 * @param healthy whether the component is healthy
 * @param message what the probe reported, e.g. "ok"
 * @param error why the probe failed; empty when healthy
 */
public record HealthResult(boolean healthy, String message, String error) {
  public HealthResult {
    message = message == null ? "" : message;
    error = error == null ? "" : error;
  }

  public static HealthResult healthy(String message) {
    return new HealthResult(true, message, "");
  }

  public static HealthResult unhealthy(String error) {
    return new HealthResult(false, "", error);
  }
}
