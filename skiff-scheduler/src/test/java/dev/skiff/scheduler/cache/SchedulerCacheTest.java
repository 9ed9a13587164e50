package dev.skiff.scheduler.cache;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.onNode;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.Snapshot;
import dev.skiff.scheduler.testing.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchedulerCacheTest {
  final FakeClock clock = new FakeClock();
  final SchedulerCache cache = new SchedulerCache(clock, Duration.ofSeconds(30));
  final Snapshot snapshot = new Snapshot();

  NodeInfo snapshotNode(String name) {
    cache.updateSnapshot(snapshot);
    return snapshot.get(name);
  }

  @Test
  void assumedPodsCountUntilForgotten() {
    cache.addNode(node("n1"));
    PodInfo p = PodInfo.of(pod("p", "1", "1Gi").build());
    cache.assumePod(p, "n1");
    assertThat(cache.isAssumed(p.uid())).isTrue();
    assertThat(snapshotNode("n1").requested().milliCpu).isEqualTo(1000);
    cache.forgetPod(p);
    assertThat(cache.contains(p.uid())).isFalse();
    assertThat(snapshotNode("n1").requested().milliCpu).isZero();
  }

  @Test
  void theInformerConfirmsAnAssumedPod() {
    cache.addNode(node("n1"));
    PodInfo p = PodInfo.of(pod("p", "1", "1Gi").build());
    cache.assumePod(p, "n1");
    cache.finishBinding(p);
    cache.addPod(PodInfo.of(onNode(p.pod(), "n1")));
    assertThat(cache.isAssumed(p.uid())).isFalse();
    assertThat(snapshotNode("n1").pods()).hasSize(1);
    clock.advance(Duration.ofMinutes(1));
    assertThat(cache.cleanupExpiredAssumedPods()).isEmpty();
  }

  @Test
  void unconfirmedAssumedPodsExpireAfterBinding() {
    cache.addNode(node("n1"));
    PodInfo p = PodInfo.of(pod("p", "1", "1Gi").build());
    cache.assumePod(p, "n1");
    clock.advance(Duration.ofMinutes(1));
    assertThat(cache.cleanupExpiredAssumedPods()).as("binding not finished yet").isEmpty();
    cache.finishBinding(p);
    clock.advance(Duration.ofSeconds(31));
    assertThat(cache.cleanupExpiredAssumedPods()).extracting(PodInfo::name).containsExactly("p");
    assertThat(snapshotNode("n1").pods()).isEmpty();
  }

  @Test
  void snapshotCopiesOnlyChangedNodes() {
    cache.addNode(node("n1"));
    cache.addNode(node("n2"));
    cache.updateSnapshot(snapshot);
    NodeInfo n1 = snapshot.get("n1");
    NodeInfo n2 = snapshot.get("n2");
    cache.addPod(PodInfo.of(onNode(pod("p", "1", "1Gi").build(), "n2")));
    cache.updateSnapshot(snapshot);
    assertThat(snapshot.get("n1")).isSameAs(n1);
    assertThat(snapshot.get("n2")).isNotSameAs(n2);
    assertThat(n2.pods()).as("the old copy is untouched").isEmpty();
    assertThat(snapshot.nodes()).extracting(NodeInfo::name).containsExactly("n1", "n2");
  }

  @Test
  void podsMayArriveBeforeTheirNodeAndOutliveIt() {
    PodInfo p = PodInfo.of(onNode(pod("p", "1", "1Gi").build(), "late"));
    cache.addPod(p);
    cache.updateSnapshot(snapshot);
    assertThat(snapshot.nodes()).isEmpty();
    cache.addNode(node("late"));
    assertThat(snapshotNode("late").pods()).hasSize(1);
    cache.removeNode(node("late"));
    cache.updateSnapshot(snapshot);
    assertThat(snapshot.nodes()).isEmpty();
    assertThat(cache.nodeCount()).isZero();
    cache.removePod(p);
    assertThat(cache.contains(p.uid())).isFalse();
  }

  @Test
  void affinityListsFollowThePods() {
    cache.addNode(node("n1"));
    PodInfo anti =
        PodInfo.of(
            onNode(
                pod("a", null, null)
                    .editSpec()
                    .withNewAffinity()
                    .withNewPodAntiAffinity()
                    .addNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .withTopologyKey("kubernetes.io/hostname")
                    .withNewLabelSelector()
                    .addToMatchLabels("app", "a")
                    .endLabelSelector()
                    .endRequiredDuringSchedulingIgnoredDuringExecution()
                    .endPodAntiAffinity()
                    .endAffinity()
                    .endSpec()
                    .build(),
                "n1"));
    cache.addPod(anti);
    cache.updateSnapshot(snapshot);
    assertThat(snapshot.havePodsWithRequiredAntiAffinity())
        .extracting(NodeInfo::name)
        .containsExactly("n1");
    cache.removePod(anti);
    cache.updateSnapshot(snapshot);
    assertThat(snapshot.havePodsWithRequiredAntiAffinity()).isEmpty();
  }
}
