package dev.skiff.kubelet.prober;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;

/** The three kinds of container probe, named as Kubernetes names them in events. */
public enum ProbeType {
  LIVENESS("Liveness"),
  READINESS("Readiness"),
  STARTUP("Startup");

  private final String display;

  ProbeType(String display) {
    this.display = display;
  }

  /** "Liveness", "Readiness" or "Startup", as the events say it. */
  public String display() {
    return display;
  }

  /** This kind's probe of a container, or null. */
  public Probe of(Container container) {
    return switch (this) {
      case LIVENESS -> container.getLivenessProbe();
      case READINESS -> container.getReadinessProbe();
      case STARTUP -> container.getStartupProbe();
    };
  }
}
