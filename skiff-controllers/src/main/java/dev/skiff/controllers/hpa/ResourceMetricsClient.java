package dev.skiff.controllers.hpa;

import java.util.Map;

/** Pod usage of a resource from the resource metrics API (metrics.k8s.io). */
@FunctionalInterface
public interface ResourceMetricsClient {
  /**
   * The usage of {@code resource} ("cpu", "memory") by each pod the label selector matches, by pod
   * name: the sum over its containers (pods whose containers do not all report the resource are
   * left out), or with a {@code container} name only that container's (pods without it are left
   * out).
   *
   * @param container a container name, or null for the whole pod
   * @throws MetricsUnavailableException when the API has no metrics for these pods
   */
  Map<String, PodMetric> podMetrics(
      String resource, String namespace, String selector, String container);
}
