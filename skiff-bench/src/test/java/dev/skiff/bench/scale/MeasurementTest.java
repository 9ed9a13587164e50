package dev.skiff.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeasurementTest {

  @Test
  void percentilesAreNearestRank() {
    double[] values = new double[100];
    for (int i = 0; i < 100; i++) {
      values[i] = 100 - i;
    }

    Percentiles p = Percentiles.of(values);

    assertThat(p.p50()).isEqualTo(50);
    assertThat(p.p90()).isEqualTo(90);
    assertThat(p.p99()).isEqualTo(99);
    assertThat(p.max()).isEqualTo(100);
    assertThat(p.average()).isEqualTo(50.5);
    assertThat(Percentiles.of(new double[0]).count()).isZero();
  }

  @Test
  void bindingsAreCountedPerWholeSecond() {
    long s = 1_000_000_000L;
    List<Long> bound = List.of(s / 2, s / 3, s + 1, 2 * s + 5, 2 * s + 7, 2 * s + 9, 3 * s + 1);

    assertThat(ScaleHarness.perSecond(bound, 0, 3 * s + 1)).containsExactly(2, 1, 3);
    assertThat(ScaleHarness.perSecond(List.of(s / 4, s / 2), 0, s / 2)).containsExactly(4.0);
  }

  @Test
  void ownProcessStatsAreRead() {
    ProcessStats self = ProcessStats.self();

    assertThat(self.rssBytes()).isPositive();
    assertThat(self.peakRssBytes()).isGreaterThanOrEqualTo(self.rssBytes());
  }

  @Test
  void workloadsShapeTheirPods() {
    Pod anti = Workload.SchedulingPodAntiAffinity.measuredPod("ns", 3);
    Pod spread = Workload.SchedulingPodTopologySpread.measuredPod("ns", 0);
    Pod low = Workload.Preemption.initPod("ns", 1);

    assertThat(anti.getMetadata().getName()).isEqualTo("m-3");
    assertThat(
            anti.getSpec()
                .getAffinity()
                .getPodAntiAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getFirst()
                .getTopologyKey())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(spread.getSpec().getTopologySpreadConstraints().getFirst().getMaxSkew())
        .isEqualTo(1);
    assertThat(low.getSpec().getPriorityClassName()).isEqualTo("bench-low");
    assertThat(low.getSpec().getTerminationGracePeriodSeconds()).isZero();
    assertThat(Workload.SchedulingPodAntiAffinity.measurablePods(500, 2000)).isEqualTo(500);
    assertThat(Workload.SchedulingPodTopologySpread.nodes(9, "r").zones()).hasSize(3);
    assertThat(Workload.Preemption.initPods(10)).isEqualTo(40);
  }
}
