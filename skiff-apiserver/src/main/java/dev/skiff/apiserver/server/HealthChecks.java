package dev.skiff.apiserver.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The named checks behind /healthz, /livez and /readyz. Liveness checks count for all three
 * endpoints, readiness checks for /readyz only, as in Kubernetes. A {@code ping} check that always
 * passes is registered first. Checks may be added while the server runs.
 */
public final class HealthChecks {
  /** The endpoints, by their path without the slash. */
  enum Endpoint {
    HEALTHZ("healthz"),
    LIVEZ("livez"),
    READYZ("readyz");

    final String path;

    Endpoint(String path) {
      this.path = path;
    }
  }

  record Named(String name, HealthCheck check, boolean readinessOnly) {}

  private final List<Named> checks = new CopyOnWriteArrayList<>();

  public HealthChecks() {
    addLivenessCheck("ping", () -> {});
  }

  /** A check for /healthz, /livez and /readyz. */
  public void addLivenessCheck(String name, HealthCheck check) {
    add(new Named(name, check, false));
  }

  /** A check for /readyz only. */
  public void addReadinessCheck(String name, HealthCheck check) {
    add(new Named(name, check, true));
  }

  private void add(Named named) {
    if (named.name().isEmpty() || named.name().contains("/")) {
      throw new IllegalArgumentException("invalid health check name: " + named.name());
    }
    for (Named existing : checks) {
      if (existing.name().equals(named.name())) {
        throw new IllegalArgumentException("health check already registered: " + named.name());
      }
    }
    checks.add(named);
  }

  /** The checks of an endpoint, in registration order. */
  List<Named> of(Endpoint endpoint) {
    return checks.stream()
        .filter(named -> endpoint == Endpoint.READYZ || !named.readinessOnly())
        .toList();
  }

  static final Map<String, Endpoint> BY_PATH =
      Map.of("healthz", Endpoint.HEALTHZ, "livez", Endpoint.LIVEZ, "readyz", Endpoint.READYZ);
}
