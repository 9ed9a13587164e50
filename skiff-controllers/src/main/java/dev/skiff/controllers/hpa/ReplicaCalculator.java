package dev.skiff.controllers.hpa;

import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The replica count a resource metric asks for, as Kubernetes' HPA computes it: the usage ratio
 * against the target over the ready pods, left alone within the tolerance, and recomputed
 * conservatively when pods lack metrics (counted at 100 % of their request on a scale-down, 0 % on
 * a scale-up) or are not yet ready (0 % on a scale-up, for cpu only).
 */
public final class ReplicaCalculator {
  public static final double DEFAULT_TOLERANCE = 0.1;
  public static final Duration DEFAULT_CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
  public static final Duration DEFAULT_INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

  /**
   * A metric's proposal.
   *
   * @param replicas the replica count the metric asks for
   * @param utilization the average utilization in percent of the request (null for value targets)
   * @param averageMilli the average usage per pod in milli-units
   */
  public record Proposal(int replicas, Integer utilization, long averageMilli) {}

  private record Groups(int readyCount, Set<String> unready, Set<String> missing) {}

  private record UtilizationRatio(double ratio, int utilization, long averageMilli) {}

  private final double tolerance;
  private final Duration cpuInitializationPeriod;
  private final Duration initialReadinessDelay;
  private final InstantSource clock;

  public ReplicaCalculator(
      double tolerance,
      Duration cpuInitializationPeriod,
      Duration initialReadinessDelay,
      InstantSource clock) {
    this.tolerance = tolerance;
    this.cpuInitializationPeriod = cpuInitializationPeriod;
    this.initialReadinessDelay = initialReadinessDelay;
    this.clock = clock;
  }

  public static ReplicaCalculator withDefaults(InstantSource clock) {
    return new ReplicaCalculator(
        DEFAULT_TOLERANCE,
        DEFAULT_CPU_INITIALIZATION_PERIOD,
        DEFAULT_INITIAL_READINESS_DELAY,
        clock);
  }

  /**
   * Replicas for a target average utilization (percent of the pods' requests).
   *
   * @param pods the pods the target's selector matches
   * @param podMetrics the metrics API's usage by pod name
   */
  public Proposal utilizationReplicas(
      int currentReplicas,
      int targetUtilization,
      String resource,
      List<Pod> pods,
      Map<String, PodMetric> podMetrics) {
    return utilizationReplicas(
        currentReplicas, targetUtilization, resource, null, pods, podMetrics);
  }

  /**
   * Replicas for a target average utilization of one container's request ({@code ContainerResource}
   * metrics); a null container means the whole pod.
   */
  public Proposal utilizationReplicas(
      int currentReplicas,
      int targetUtilization,
      String resource,
      String container,
      List<Pod> pods,
      Map<String, PodMetric> podMetrics) {
    if (pods.isEmpty()) {
      throw new MetricsUnavailableException(
          "no pods returned by selector while calculating replica count");
    }
    Map<String, Long> metrics = values(podMetrics);
    Groups groups = groupPods(pods, podMetrics, resource);
    removeIgnored(pods, metrics);
    metrics.keySet().removeAll(groups.unready());
    Map<String, Long> requests = requests(pods, resource, container);
    if (metrics.isEmpty()) {
      throw new MetricsUnavailableException(
          "did not receive metrics for targeted pods (pods might be unready)");
    }
    UtilizationRatio usage = utilizationRatio(metrics, requests, targetUtilization);
    boolean scaleUpWithUnready = !groups.unready().isEmpty() && usage.ratio() > 1.0;
    if (!scaleUpWithUnready && groups.missing().isEmpty()) {
      if (Math.abs(1.0 - usage.ratio()) <= tolerance) {
        return new Proposal(currentReplicas, usage.utilization(), usage.averageMilli());
      }
      return new Proposal(
          (int) Math.ceil(usage.ratio() * groups.readyCount()),
          usage.utilization(),
          usage.averageMilli());
    }
    if (!groups.missing().isEmpty()) {
      for (String pod : groups.missing()) {
        // on a scale-down a pod without metrics counts as using its whole request, on a
        // scale-up as using nothing
        if (usage.ratio() < 1.0) {
          metrics.put(pod, requests.getOrDefault(pod, 0L));
        } else if (usage.ratio() > 1.0) {
          metrics.put(pod, 0L);
        }
      }
    }
    if (scaleUpWithUnready) {
      groups.unready().forEach(pod -> metrics.put(pod, 0L));
    }
    double newRatio = utilizationRatio(metrics, requests, targetUtilization).ratio();
    return new Proposal(
        rebalanced(currentReplicas, usage.ratio(), newRatio, metrics.size()),
        usage.utilization(),
        usage.averageMilli());
  }

  /** Replicas for a target average value per pod (milli-units), cpu or memory. */
  public Proposal averageValueReplicas(
      int currentReplicas,
      long targetAverageMilli,
      String resource,
      List<Pod> pods,
      Map<String, PodMetric> podMetrics) {
    if (pods.isEmpty()) {
      throw new MetricsUnavailableException(
          "no pods returned by selector while calculating replica count");
    }
    Map<String, Long> metrics = values(podMetrics);
    Groups groups = groupPods(pods, podMetrics, resource);
    removeIgnored(pods, metrics);
    metrics.keySet().removeAll(groups.unready());
    if (metrics.isEmpty()) {
      throw new MetricsUnavailableException(
          "did not receive metrics for targeted pods (pods might be unready)");
    }
    long average = total(metrics) / metrics.size();
    double ratio = (double) average / targetAverageMilli;
    boolean scaleUpWithUnready = !groups.unready().isEmpty() && ratio > 1.0;
    if (!scaleUpWithUnready && groups.missing().isEmpty()) {
      if (Math.abs(1.0 - ratio) <= tolerance) {
        return new Proposal(currentReplicas, null, average);
      }
      return new Proposal((int) Math.ceil(ratio * groups.readyCount()), null, average);
    }
    for (String pod : groups.missing()) {
      metrics.put(pod, ratio < 1.0 ? targetAverageMilli : 0L);
    }
    if (scaleUpWithUnready) {
      groups.unready().forEach(pod -> metrics.put(pod, 0L));
    }
    double newRatio = (double) (total(metrics) / metrics.size()) / targetAverageMilli;
    return new Proposal(
        rebalanced(currentReplicas, ratio, newRatio, metrics.size()), null, average);
  }

  /**
   * The replica count after missing and unready pods were given their conservative usage: the
   * current count when the change is within tolerance or would reverse the direction.
   */
  private int rebalanced(int currentReplicas, double ratio, double newRatio, int counted) {
    if (Math.abs(1.0 - newRatio) <= tolerance
        || (ratio < 1.0 && newRatio > 1.0)
        || (ratio > 1.0 && newRatio < 1.0)) {
      return currentReplicas;
    }
    int replicas = (int) Math.ceil(newRatio * counted);
    if ((newRatio < 1.0 && replicas > currentReplicas)
        || (newRatio > 1.0 && replicas < currentReplicas)) {
      return currentReplicas;
    }
    return replicas;
  }

  private static Map<String, Long> values(Map<String, PodMetric> podMetrics) {
    Map<String, Long> values = new HashMap<>();
    podMetrics.forEach((pod, metric) -> values.put(pod, metric.milliValue()));
    return values;
  }

  private static long total(Map<String, Long> metrics) {
    long total = 0;
    for (long value : metrics.values()) {
      total += value;
    }
    return total;
  }

  /** Deleted and failed pods take no part at all. */
  private static void removeIgnored(List<Pod> pods, Map<String, Long> metrics) {
    for (Pod pod : pods) {
      if (ignored(pod)) {
        metrics.remove(pod.getMetadata().getName());
      }
    }
  }

  private static boolean ignored(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null || "Failed".equals(phase(pod));
  }

  private Groups groupPods(List<Pod> pods, Map<String, PodMetric> metrics, String resource) {
    int ready = 0;
    Set<String> unready = new HashSet<>();
    Set<String> missing = new HashSet<>();
    Instant now = clock.instant();
    for (Pod pod : pods) {
      String name = pod.getMetadata().getName();
      if (ignored(pod)) {
        continue;
      }
      if ("Pending".equals(phase(pod))) {
        unready.add(name);
        continue;
      }
      PodMetric metric = metrics.get(name);
      if (metric == null) {
        missing.add(name);
        continue;
      }
      if (resource.equals("cpu") && cpuUnready(pod, metric, now)) {
        unready.add(name);
        continue;
      }
      ready++;
    }
    return new Groups(ready, unready, missing);
  }

  /**
   * A cpu sample is not trusted while the pod is starting: within the initialization period when
   * the pod is unready or the sample's window began before it became ready; after it, only when the
   * pod is unready and never was ready since its first readiness delay.
   */
  private boolean cpuUnready(Pod pod, PodMetric metric, Instant now) {
    PodCondition ready = readyCondition(pod);
    Instant started =
        pod.getStatus() == null ? null : Timestamps.parse(pod.getStatus().getStartTime());
    if (ready == null || started == null) {
      return true;
    }
    Instant transition = Timestamps.parse(ready.getLastTransitionTime());
    if (transition == null) {
      transition = started;
    }
    boolean readyFalse = "False".equals(ready.getStatus());
    if (started.plus(cpuInitializationPeriod).isAfter(now)) {
      return readyFalse || metric.timestamp().isBefore(transition.plus(metric.window()));
    }
    return readyFalse && started.plus(initialReadinessDelay).isAfter(transition);
  }

  private static PodCondition readyCondition(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return null;
    }
    for (PodCondition condition : pod.getStatus().getConditions()) {
      if ("Ready".equals(condition.getType())) {
        return condition;
      }
    }
    return null;
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null ? null : pod.getStatus().getPhase();
  }

  /**
   * Each pod's request: its containers' and sidecars' (restartable init containers') sum, or only
   * the named container's.
   */
  static Map<String, Long> requests(List<Pod> pods, String resource, String only) {
    Map<String, Long> requests = new HashMap<>();
    for (Pod pod : pods) {
      List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
      if (pod.getSpec().getInitContainers() != null) {
        for (Container init : pod.getSpec().getInitContainers()) {
          if ("Always".equals(init.getRestartPolicy())) {
            containers.add(init);
          }
        }
      }
      long sum = 0;
      for (Container container : containers) {
        if (only != null && !only.equals(container.getName())) {
          continue;
        }
        Quantity request =
            container.getResources() == null || container.getResources().getRequests() == null
                ? null
                : container.getResources().getRequests().get(resource);
        if (request == null) {
          throw new MetricsUnavailableException(
              "missing request for "
                  + resource
                  + " in container "
                  + container.getName()
                  + " of Pod "
                  + pod.getMetadata().getName());
        }
        sum += milli(request);
      }
      requests.put(pod.getMetadata().getName(), sum);
    }
    return requests;
  }

  private static UtilizationRatio utilizationRatio(
      Map<String, Long> metrics, Map<String, Long> requests, int targetUtilization) {
    long metricsTotal = 0;
    long requestsTotal = 0;
    int counted = 0;
    for (Map.Entry<String, Long> metric : metrics.entrySet()) {
      Long request = requests.get(metric.getKey());
      if (request == null) {
        continue; // a metric for a pod the selector does not list
      }
      metricsTotal += metric.getValue();
      requestsTotal += request;
      counted++;
    }
    if (requestsTotal == 0) {
      throw new MetricsUnavailableException("no metrics returned matched known pods");
    }
    int utilization = (int) (metricsTotal * 100 / requestsTotal);
    return new UtilizationRatio(
        (double) utilization / targetUtilization, utilization, metricsTotal / counted);
  }

  /** A quantity in milli-units, rounded up as Kubernetes' MilliValue does. */
  static long milli(Quantity quantity) {
    BigDecimal amount = quantity.getNumericalAmount();
    return amount.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
  }
}
