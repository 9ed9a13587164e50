package dev.skiff.scheduler;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.Parallelizer;
import dev.skiff.scheduler.testing.FakeClock;
import dev.skiff.scheduler.testing.RecordingClusterClient;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Thousands of nodes with the parallel filter and the adaptive percentage of nodes to score: every
 * pod binds, and LeastAllocated keeps the load flat (a node's score only drops once its pods cost a
 * whole point of its capacity).
 */
class SchedulingAtScaleTest {
  @Test
  void fourThousandPodsOverTwoThousandNodes() throws Exception {
    RecordingClusterClient client = new RecordingClusterClient();
    try (Parallelizer parallelizer = new Parallelizer(2)) {
      PodScheduler s =
          new PodScheduler(
              client,
              Listers.empty(),
              SchedulerConfiguration.defaults(),
              new FakeClock(),
              parallelizer,
              new SplittableRandom(7),
              Runnable::run);
      for (int i = 0; i < 2000; i++) {
        s.onNodeAdd(node("n" + i, "32", "256Gi").build());
      }
      for (int i = 0; i < 4000; i++) {
        s.onPodAdd(pod("p" + i, "100m", "100Mi").build());
      }
      while (s.scheduleOne(Duration.ZERO)) {
        // drain
      }
      assertThat(client.bindings).hasSize(4000);
      Collection<Long> perNode =
          client.bindings.values().stream()
              .collect(Collectors.groupingBy(n -> n, Collectors.counting()))
              .values();
      // 100m of 32 cpu: up to 3 pods still score 99 for LeastAllocated, the 4th drops to 98
      assertThat(perNode).allMatch(n -> n <= 3);
      assertThat(s.pending())
          .isEqualTo(Map.of("active", 0, "backoff", 0, "unschedulable", 0, "gated", 0));
    }
  }
}
