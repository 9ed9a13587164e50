package dev.skiff.controllers.hpa;

import dev.skiff.api.Json;
import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Pod usage from {@code metrics.k8s.io/v1beta1} PodMetrics: a pod's value is the sum over its
 * containers (or one named container's), and a pod with a container not reporting the resource is
 * left out (its metrics count as missing), as Kubernetes' resource metrics client does.
 */
final class ClientResourceMetrics implements ResourceMetricsClient {
  private final KubernetesClient client;

  ClientResourceMetrics(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Map<String, PodMetric> podMetrics(
      String resource, String namespace, String selector, String container) {
    String path =
        "/apis/metrics.k8s.io/v1beta1/namespaces/"
            + namespace
            + "/pods?labelSelector="
            + URLEncoder.encode(selector, StandardCharsets.UTF_8);
    String body;
    try {
      body = client.raw(path, "GET", null);
    } catch (KubernetesClientException e) {
      throw new MetricsUnavailableException(
          "unable to fetch metrics from resource metrics API: " + e.getMessage());
    }
    if (body == null) {
      throw new MetricsUnavailableException(
          "unable to fetch metrics from resource metrics API: the server could not find the"
              + " requested resource (get pods.metrics.k8s.io)");
    }
    PodMetricsList list = Json.MAPPER.readValue(body, PodMetricsList.class);
    if (list.getItems() == null || list.getItems().isEmpty()) {
      throw new MetricsUnavailableException("no metrics returned from resource metrics API");
    }
    Map<String, PodMetric> result = new HashMap<>();
    for (PodMetrics pod : list.getItems()) {
      if (pod.getContainers() == null || pod.getContainers().isEmpty()) {
        continue;
      }
      long sum = 0;
      boolean missing = false;
      boolean found = container == null;
      for (ContainerMetrics metrics : pod.getContainers()) {
        if (container != null && !container.equals(metrics.getName())) {
          continue;
        }
        found = true;
        Quantity usage = metrics.getUsage() == null ? null : metrics.getUsage().get(resource);
        if (usage == null) {
          missing = true;
          break;
        }
        sum += ReplicaCalculator.milli(usage);
      }
      if (found && !missing) {
        result.put(pod.getMetadata().getName(), new PodMetric(sum, timestamp(pod), window(pod)));
      }
    }
    return result;
  }

  private static Instant timestamp(PodMetrics pod) {
    Instant parsed = Timestamps.parse(pod.getTimestamp());
    return parsed == null ? Instant.EPOCH : parsed;
  }

  private static Duration window(PodMetrics pod) {
    if (pod.getWindow() == null || pod.getWindow().getDuration() == null) {
      return Duration.ZERO;
    }
    return pod.getWindow().getDuration();
  }
}
