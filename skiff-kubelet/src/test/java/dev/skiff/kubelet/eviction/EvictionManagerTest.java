package dev.skiff.kubelet.eviction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.kubelet.node.NodeHealth;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EvictionManagerTest {
  private static final long GI = 1L << 30;
  private static final long MI = 1L << 20;

  /** Signals a test sets: what is available per signal, and each pod's container use. */
  static final class FakeSignals implements EvictionSignals {
    final Map<Signal, Observation> observations = new HashMap<>();
    final Map<String, Map<String, Long>> usage = new HashMap<>();

    @Override
    public Map<Signal, Observation> observe() {
      return Map.copyOf(observations);
    }

    @Override
    public Map<String, Long> containerUsage(Pod pod, Signal signal) {
      return usage.getOrDefault(pod.getMetadata().getName(), Map.of());
    }
  }

  private final FakeSignals signals = new FakeSignals();
  private final List<String> evictions = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicLong reclaimable = new AtomicLong();
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-11-25T10:00:00Z"));
  private List<Pod> pods = List.of();

  private final EvictionManager manager =
      new EvictionManager(
          Threshold.parse(Threshold.DEFAULTS),
          signals,
          () -> pods,
          (pod, message) -> evictions.add(pod.getMetadata().getName() + ": " + message),
          () -> {
            long freed = reclaimable.getAndSet(0);
            if (freed > 0) {
              Signal s = Signal.IMAGEFS_AVAILABLE;
              var o = signals.observations.get(s);
              signals.observations.put(
                  s, new EvictionSignals.Observation(o.available() + freed, o.capacity()));
            }
            return freed;
          },
          new EventRecorder() {
            @Override
            public void event(HasMetadata involved, String type, String reason, String message) {
              events.add(type + " " + reason + " " + involved.getMetadata().getName());
            }
          },
          () -> now.get(),
          Duration.ofMinutes(5));

  private static Pod pod(String name, Integer priority, String memoryRequest) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("default")
            .withUid(name + "-uid")
            .endMetadata()
            .withNewSpec()
            .withPriority(priority)
            .addNewContainer()
            .withName("app")
            .withImage("busybox")
            .endContainer()
            .endSpec();
    if (memoryRequest != null) {
      b.editSpec()
          .editFirstContainer()
          .withNewResources()
          .addToRequests("memory", new Quantity(memoryRequest))
          .endResources()
          .endContainer()
          .endSpec();
    }
    return b.build();
  }

  private void healthy() {
    signals.observations.put(
        Signal.MEMORY_AVAILABLE, new EvictionSignals.Observation(4 * GI, 8 * GI));
    signals.observations.put(
        Signal.NODEFS_AVAILABLE, new EvictionSignals.Observation(50 * GI, 100 * GI));
    signals.observations.put(
        Signal.IMAGEFS_AVAILABLE, new EvictionSignals.Observation(50 * GI, 100 * GI));
    signals.observations.put(
        Signal.NODEFS_INODES_FREE, new EvictionSignals.Observation(500_000, 1_000_000));
  }

  @Test
  void noPressureNoEviction() {
    healthy();
    pods = List.of(pod("a", null, null));
    assertThat(manager.synchronize()).isEmpty();
    assertThat(manager.conditions()).isEmpty();
    assertThat(manager.withPressure(NodeHealth.HEALTHY)).isEqualTo(NodeHealth.HEALTHY);
  }

  @Test
  void memoryPressureEvictsThePodThatExceedsItsRequestWithKubernetesMessage() {
    healthy();
    signals.observations.put(
        Signal.MEMORY_AVAILABLE, new EvictionSignals.Observation(50 * MI, 8 * GI));
    // within its request: last, though it uses the most
    Pod big = pod("big", 0, "2Gi");
    // over its request, high priority
    Pod important = pod("important", 1000, "10Mi");
    // over its request, low priority: first
    Pod greedy = pod("greedy", 0, "64Mi");
    Pod critical = pod("critical", 2_000_000_000, null);
    signals.usage.put("big", Map.of("app", 1536 * MI));
    signals.usage.put("important", Map.of("app", 300 * MI));
    signals.usage.put("greedy", Map.of("app", 200 * MI));
    signals.usage.put("critical", Map.of("app", 900 * MI));
    pods = List.of(big, important, critical, greedy);

    assertThat(manager.rank(pods, Signal.MEMORY_AVAILABLE))
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("greedy", "important", "critical", "big");
    assertThat(manager.synchronize()).map(p -> p.getMetadata().getName()).contains("greedy");

    assertThat(evictions)
        .containsExactly(
            "greedy: The node was low on resource: memory. Threshold quantity: 100Mi, available:"
                + " 50Mi. Container app was using 200Mi, request is 64Mi, has larger consumption"
                + " of memory. ");
    assertThat(events).containsExactly("Warning Evicted greedy");
    assertThat(manager.withPressure(NodeHealth.HEALTHY).memoryPressure()).isTrue();
    assertThat(manager.withPressure(NodeHealth.HEALTHY).diskPressure()).isFalse();

    // one pod per round; a pod already evicted is not picked again
    manager.synchronize();
    assertThat(evictions).hasSize(2);
    assertThat(evictions.get(1)).startsWith("important: ");
  }

  @Test
  void pressureConditionStaysForTheTransitionPeriod() {
    healthy();
    signals.observations.put(
        Signal.NODEFS_AVAILABLE, new EvictionSignals.Observation(5 * GI, 100 * GI));
    manager.synchronize();
    assertThat(manager.conditions()).containsExactly(Signal.Condition.DISK_PRESSURE);
    assertThat(evictions).isEmpty(); // no pods to evict

    healthy();
    now.set(now.get().plus(Duration.ofMinutes(4)));
    manager.synchronize();
    assertThat(manager.withPressure(NodeHealth.HEALTHY).diskPressure()).isTrue();
    now.set(now.get().plus(Duration.ofMinutes(2)));
    manager.synchronize();
    assertThat(manager.conditions()).isEmpty();
  }

  @Test
  void diskPressureReclaimsImagesBeforeEvictingAndStaticPodsAreNeverEvicted() {
    healthy();
    signals.observations.put(
        Signal.IMAGEFS_AVAILABLE, new EvictionSignals.Observation(10 * GI, 100 * GI));
    Pod staticPod = pod("kube-static", 0, null);
    staticPod.getMetadata().setAnnotations(Map.of("kubernetes.io/config.source", "file"));
    Pod writer = pod("writer", 0, null);
    pods = List.of(staticPod, writer);

    reclaimable.set(10 * GI);
    assertThat(manager.synchronize()).isEmpty();
    assertThat(evictions).isEmpty();
    assertThat(manager.conditions()).containsExactly(Signal.Condition.DISK_PRESSURE);

    signals.observations.put(
        Signal.IMAGEFS_AVAILABLE, new EvictionSignals.Observation(10 * GI, 100 * GI));
    signals.usage.put("writer", Map.of("app", 3 * GI));
    signals.usage.put("kube-static", Map.of("app", 30 * GI));
    manager.synchronize();
    assertThat(evictions)
        .containsExactly(
            "writer: The node was low on resource: ephemeral-storage. Threshold quantity:"
                + " 15Gi, available: 10Gi. Container app was using 3Gi, request is 0, has larger"
                + " consumption of ephemeral-storage. ");
  }
}
