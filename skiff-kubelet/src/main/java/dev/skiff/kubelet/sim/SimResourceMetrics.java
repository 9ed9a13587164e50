package dev.skiff.kubelet.sim;

import dev.skiff.client.Timestamps;
import dev.skiff.kubelet.pod.PodUsage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code /metrics/resource} text a simulated node's kubelet would serve, in the real kubelet's
 * format: each running pod uses what its {@code sim.skiff.io/cpu-usage} and {@code
 * sim.skiff.io/memory-usage} annotations declare (nothing when absent), all of it in its first
 * container. CPU is a cumulative counter that grows at the declared rate between two reads; the
 * node's numbers are its pods' sums.
 */
final class SimResourceMetrics {
  private record Counter(Instant at, double seconds) {}

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  /** The metrics of {@code pods} (the pods bound to one node) at {@code now}. */
  String render(List<Pod> pods, Instant at) {
    // samples carry millisecond timestamps: count CPU time to the same instant
    Instant now = at.truncatedTo(ChronoUnit.MILLIS);
    List<String[]> containers = new ArrayList<>(); // labels, cpu seconds, memory bytes, start
    double nodeCpu = 0;
    long nodeMemory = 0;
    for (Pod pod : pods) {
      if (!"Running".equals(pod.getStatus() == null ? null : pod.getStatus().getPhase())
          || pod.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      PodUsage usage =
          PodUsage.fromAnnotations(pod.getMetadata().getAnnotations())
              .orElse(new PodUsage(null, null));
      Instant started = Timestamps.parse(pod.getStatus().getStartTime());
      boolean first = true;
      for (Container container : pod.getSpec().getContainers()) {
        double cores = first ? amount(usage.cpu()) : 0;
        long bytes = first ? (long) amount(usage.memory()) : 0;
        first = false;
        String key = pod.getMetadata().getUid() + "/" + container.getName();
        double seconds = advance(key, cores, now);
        nodeCpu += seconds;
        nodeMemory += bytes;
        containers.add(
            new String[] {
              "container=\""
                  + escape(container.getName())
                  + "\",namespace=\""
                  + escape(pod.getMetadata().getNamespace())
                  + "\",pod=\""
                  + escape(pod.getMetadata().getName())
                  + "\"",
              number(seconds),
              Long.toString(bytes),
              started == null ? null : number(started.toEpochMilli() / 1000.0)
            });
      }
    }
    long millis = now.toEpochMilli();
    StringBuilder out = new StringBuilder();
    header(out, "container_cpu_usage_seconds_total", "counter");
    containers.forEach(c -> sample(out, "container_cpu_usage_seconds_total", c[0], c[1], millis));
    header(out, "container_memory_working_set_bytes", "gauge");
    containers.forEach(c -> sample(out, "container_memory_working_set_bytes", c[0], c[2], millis));
    header(out, "container_start_time_seconds", "gauge");
    containers.stream()
        .filter(c -> c[3] != null)
        .forEach(c -> sample(out, "container_start_time_seconds", c[0], c[3], millis));
    header(out, "node_cpu_usage_seconds_total", "counter");
    sample(out, "node_cpu_usage_seconds_total", "", number(nodeCpu), millis);
    header(out, "node_memory_working_set_bytes", "gauge");
    sample(out, "node_memory_working_set_bytes", "", Long.toString(nodeMemory), millis);
    header(out, "scrape_error", "gauge");
    sample(out, "scrape_error", "", "0", -1);
    return out.toString();
  }

  /** Forgets the counters of containers not seen in {@code pods}' uids. */
  void retain(java.util.Set<String> podUids) {
    counters.keySet().removeIf(key -> !podUids.contains(key.substring(0, key.indexOf('/'))));
  }

  private double advance(String key, double cores, Instant now) {
    Counter next =
        counters.compute(
            key,
            (k, counter) -> {
              if (counter == null) {
                return new Counter(now, 0);
              }
              double elapsed = Duration.between(counter.at(), now).toNanos() / 1e9;
              return elapsed <= 0 ? counter : new Counter(now, counter.seconds() + cores * elapsed);
            });
    return next.seconds();
  }

  private static double amount(Quantity quantity) {
    if (quantity == null) {
      return 0;
    }
    BigDecimal amount = quantity.getNumericalAmount();
    return Math.max(0, amount.doubleValue());
  }

  private static void header(StringBuilder out, String name, String type) {
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(
      StringBuilder out, String name, String labels, String value, long millis) {
    out.append(name);
    if (!labels.isEmpty()) {
      out.append('{').append(labels).append('}');
    }
    out.append(' ').append(value);
    if (millis >= 0) {
      out.append(' ').append(millis);
    }
    out.append('\n');
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.9f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
