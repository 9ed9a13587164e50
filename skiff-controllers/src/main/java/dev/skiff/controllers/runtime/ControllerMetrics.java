package dev.skiff.controllers.runtime;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The controller manager's Prometheus metrics, with Kubernetes' work-queue metric names, labelled
 * by queue (controller) name.
 */
public final class ControllerMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Gauge depth =
      Gauge.builder()
          .name("workqueue_depth")
          .help("Current depth of workqueue")
          .labelNames("name")
          .register(registry);
  private final Counter adds =
      Counter.builder()
          .name("workqueue_adds_total")
          .help("Total number of adds handled by workqueue")
          .labelNames("name")
          .register(registry);
  private final Counter retries =
      Counter.builder()
          .name("workqueue_retries_total")
          .help("Total number of retries handled by workqueue")
          .labelNames("name")
          .register(registry);
  private final Histogram queueDuration =
      Histogram.builder()
          .name("workqueue_queue_duration_seconds")
          .help("How long in seconds an item stays in workqueue before being requested")
          .classicOnly()
          .classicExponentialUpperBounds(1e-8, 10, 10)
          .labelNames("name")
          .register(registry);
  private final Histogram workDuration =
      Histogram.builder()
          .name("workqueue_work_duration_seconds")
          .help("How long in seconds processing an item from workqueue takes")
          .classicOnly()
          .classicExponentialUpperBounds(1e-8, 10, 10)
          .labelNames("name")
          .register(registry);
  private final Gauge leader =
      Gauge.builder()
          .name("leader_election_master_status")
          .help("Whether this process is the leader (1) or not (0)")
          .labelNames("name")
          .register(registry);

  /** The metrics one named queue reports into. */
  public QueueMetrics forQueue(String name) {
    depth.labelValues(name).set(0);
    adds.labelValues(name);
    retries.labelValues(name);
    return new QueueMetrics() {
      @Override
      public void added(int queueDepth) {
        adds.labelValues(name).inc();
        depth.labelValues(name).set(queueDepth);
      }

      @Override
      public void started(Duration waited, int queueDepth) {
        depth.labelValues(name).set(queueDepth);
        queueDuration.labelValues(name).observe(seconds(waited));
      }

      @Override
      public void finished(Duration worked) {
        workDuration.labelValues(name).observe(seconds(worked));
      }

      @Override
      public void retried() {
        retries.labelValues(name).inc();
      }
    };
  }

  public void leading(String name, boolean isLeader) {
    leader.labelValues(name).set(isLeader ? 1 : 0);
  }

  /** The Prometheus text exposition of every metric, as served on /metrics. */
  public String metricsText() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }
}
