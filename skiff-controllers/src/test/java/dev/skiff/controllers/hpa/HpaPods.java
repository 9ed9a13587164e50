package dev.skiff.controllers.hpa;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Pods and metrics for autoscaler tests: one container "app" with a request. */
final class HpaPods {
  static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

  private HpaPods() {}

  /** A Running pod, Ready since it started {@code age} ago. */
  static Pod ready(String name, String resource, String request, Duration age) {
    Instant started = NOW.minus(age);
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withLabels(Map.of("app", "web"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("busybox")
        .withNewResources()
        .withRequests(Map.of(resource, new Quantity(request)))
        .endResources()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withStartTime(started.toString())
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .withLastTransitionTime(started.toString())
        .endCondition()
        .endStatus()
        .build();
  }

  /** A pod that has run for ten minutes, well past the cpu initialization period. */
  static Pod ready(String name, String resource, String request) {
    return ready(name, resource, request, Duration.ofMinutes(10));
  }

  /** The pod with its Ready condition turned {@code status} at {@code since}. */
  static Pod readiness(Pod pod, String status, Instant since) {
    pod.getStatus().getConditions().get(0).setStatus(status);
    pod.getStatus().getConditions().get(0).setLastTransitionTime(since.toString());
    return pod;
  }

  static PodMetric usage(long milli) {
    return new PodMetric(milli, NOW, Duration.ofSeconds(15));
  }
}
