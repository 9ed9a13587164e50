package dev.skiff.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimResourceMetricsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final SimResourceMetrics metrics = new SimResourceMetrics();

  @Test
  void cpuCountsUpAtTheDeclaredRateAndMemoryIsTheDeclaredWorkingSet() {
    Pod busy =
        pod(
            "busy",
            "Running",
            Map.of("sim.skiff.io/cpu-usage", "250m", "sim.skiff.io/memory-usage", "64Mi"));
    Pod idle = pod("idle", "Running", Map.of());
    Pod pending = pod("pending", "Pending", Map.of("sim.skiff.io/cpu-usage", "1"));

    metrics.render(List.of(busy, idle, pending), T0);
    String text = metrics.render(List.of(busy, idle, pending), T0.plusSeconds(2));

    long millis = T0.plusSeconds(2).toEpochMilli();
    assertThat(text)
        .contains(
            "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\","
                + "pod=\"busy\"} 0.5 "
                + millis)
        .contains(
            "container_cpu_usage_seconds_total{container=\"sidecar\",namespace=\"default\","
                + "pod=\"busy\"} 0 "
                + millis)
        .contains(
            "container_memory_working_set_bytes{container=\"app\",namespace=\"default\","
                + "pod=\"busy\"} 67108864 "
                + millis)
        .contains(
            "container_cpu_usage_seconds_total{container=\"app\",namespace=\"default\","
                + "pod=\"idle\"} 0 "
                + millis)
        .contains("node_cpu_usage_seconds_total 0.5 " + millis)
        .contains("node_memory_working_set_bytes 67108864 " + millis)
        .doesNotContain("pod=\"pending\"");
  }

  @Test
  void aChangedAnnotationChangesTheRateFromTheNextRead() {
    Pod pod = pod("web", "Running", Map.of("sim.skiff.io/cpu-usage", "1"));
    metrics.render(List.of(pod), T0);
    metrics.render(List.of(pod), T0.plusSeconds(3));

    pod.getMetadata().setAnnotations(Map.of("sim.skiff.io/cpu-usage", "100m"));
    String text = metrics.render(List.of(pod), T0.plusSeconds(13));

    assertThat(text).contains("node_cpu_usage_seconds_total 4 ");
  }

  private static Pod pod(String name, String phase, Map<String, String> annotations) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName(name)
        .withUid("uid-" + name)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withNodeName("sim-0")
        .addNewContainer()
        .withName("app")
        .endContainer()
        .addNewContainer()
        .withName("sidecar")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase(phase)
        .withStartTime(T0.minusSeconds(60).toString())
        .endStatus()
        .build();
  }
}
