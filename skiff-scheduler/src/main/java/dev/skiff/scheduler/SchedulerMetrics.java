package dev.skiff.scheduler;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/** The scheduler's Prometheus metrics, with Kubernetes' names, in a registry of their own. */
public final class SchedulerMetrics {
  public static final String SCHEDULED = "scheduled";
  public static final String UNSCHEDULABLE = "unschedulable";
  public static final String ERROR = "error";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter attempts;
  private final Histogram attemptDuration;
  private final Counter preemptionAttempts;
  private final Histogram podSchedulingDuration;

  public SchedulerMetrics(Supplier<Map<String, Integer>> pendingPods) {
    attempts =
        Counter.builder()
            .name("scheduler_schedule_attempts_total")
            .help("Number of attempts to schedule pods, by the result.")
            .labelNames("result", "profile")
            .register(registry);
    attemptDuration =
        Histogram.builder()
            .name("scheduler_scheduling_attempt_duration_seconds")
            .help("Scheduling attempt latency in seconds (scheduling algorithm + binding).")
            .labelNames("result", "profile")
            .classicExponentialUpperBounds(0.001, 2, 15)
            .register(registry);
    podSchedulingDuration =
        Histogram.builder()
            .name("scheduler_pod_scheduling_sli_duration_seconds")
            .help(
                "E2e latency for a pod being scheduled, from the time it entered the queue, by attempts.")
            .labelNames("attempts")
            .classicExponentialUpperBounds(0.01, 2, 20)
            .register(registry);
    preemptionAttempts =
        Counter.builder()
            .name("scheduler_preemption_attempts_total")
            .help("Total preemption attempts in the cluster till now.")
            .register(registry);
    GaugeWithCallback.builder()
        .name("scheduler_pending_pods")
        .help("Number of pending pods, by the queue type.")
        .labelNames("queue")
        .callback(cb -> pendingPods.get().forEach((queue, n) -> cb.call(n, queue)))
        .register(registry);
  }

  void attempt(String result, String profile, double seconds) {
    attempts.labelValues(result, profile).inc();
    attemptDuration.labelValues(result, profile).observe(seconds);
  }

  void podScheduled(int attempts, double seconds) {
    podSchedulingDuration.labelValues(Integer.toString(attempts)).observe(seconds);
  }

  void preemptionAttempt() {
    preemptionAttempts.inc();
  }

  /** The attempts counted so far with {@code result} (all profiles). */
  public long attempts(String result) {
    long total = 0;
    for (var point : attempts.collect().getDataPoints()) {
      if (point.getLabels().get("result").equals(result)) {
        total += (long) point.getValue();
      }
    }
    return total;
  }

  /** All metrics in the Prometheus text format (version 0.0.4). */
  public String text() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape(), null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
