package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PodUsageTest {

  @Test
  void readsCpuAndMemoryAnnotations() {
    PodUsage usage =
        PodUsage.fromAnnotations(
                Map.of("sim.skiff.io/cpu-usage", "250m", "sim.skiff.io/memory-usage", "64Mi"))
            .orElseThrow();

    assertThat(usage.cpu().getNumericalAmount()).isEqualByComparingTo("0.25");
    assertThat(usage.memory().getNumericalAmount()).isEqualByComparingTo("67108864");
  }

  @Test
  void absentOrUnparsableAnnotationsGiveNothing() {
    assertThat(PodUsage.fromAnnotations(null)).isEmpty();
    assertThat(PodUsage.fromAnnotations(Map.of("other", "1"))).isEmpty();
    assertThat(PodUsage.fromAnnotations(Map.of("sim.skiff.io/cpu-usage", "lots"))).isEmpty();
    assertThat(
            PodUsage.fromAnnotations(Map.of("sim.skiff.io/memory-usage", "1Gi"))
                .orElseThrow()
                .cpu())
        .isNull();
  }
}
