package dev.skiff.controllers.podgc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.pods.TestPods;
import dev.skiff.controllers.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodGarbageCollectorTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final CacheImpl<Node> nodes = new CacheImpl<>();
  private final List<String> deleted = new ArrayList<>();
  private final PodGarbageCollector collector =
      new PodGarbageCollector(pods, nodes, p -> deleted.add(p.getMetadata().getName()), 2, clock);

  private Pod finished(String name, int minutesAgo) {
    Pod pod =
        TestPods.created(
            TestPods.pod(name, Map.of()), clock.instant().minusSeconds(60L * minutesAgo));
    pod.getStatus().setPhase("Succeeded");
    return pod;
  }

  @Test
  void deletesTheOldestTerminatedPodsBeyondTheThreshold() {
    pods.put(finished("old", 30));
    pods.put(finished("middle", 20));
    pods.put(finished("new", 10));
    pods.put(finished("newest", 1));

    assertThat(collector.reconcile(PodGarbageCollector.KEY).requeueAfter())
        .contains(PodGarbageCollector.PERIOD);

    assertThat(deleted).containsExactly("old", "middle");
  }

  @Test
  void podsOnMissingNodesGoAfterTheQuarantine() {
    nodes.put(new NodeBuilder().withNewMetadata().withName("alive").endMetadata().build());
    pods.put(TestPods.scheduled(TestPods.pod("kept", Map.of()), "alive"));
    pods.put(TestPods.scheduled(TestPods.pod("stranded", Map.of()), "gone"));

    collector.reconcile(PodGarbageCollector.KEY);
    assertThat(deleted).isEmpty();

    clock.advance(Duration.ofSeconds(40));
    collector.reconcile(PodGarbageCollector.KEY);
    assertThat(deleted).containsExactly("stranded");
  }

  @Test
  void unscheduledTerminatingPodsAreForceDeleted() {
    pods.put(TestPods.terminating(TestPods.pod("stuck", Map.of())));

    collector.reconcile(PodGarbageCollector.KEY);

    assertThat(deleted).containsExactly("stuck");
  }
}
