package dev.skiff.kubelet.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/** The loop on a fake clock: tasks run on the test thread when the clock reaches them. */
class HeartbeatLoopTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private record Due(Instant at, long seq, Runnable task) {}

  private Instant now = T0;
  private long seq;
  private final PriorityQueue<Due> due =
      new PriorityQueue<>(
          (a, b) ->
              a.at().equals(b.at()) ? Long.compare(a.seq(), b.seq()) : a.at().compareTo(b.at()));
  private final FakeNodeApi api = new FakeNodeApi();
  private final HeartbeatLoop loop =
      new HeartbeatLoop(
          (delay, task) -> due.add(new Due(now.plus(delay), seq++, task)),
          Runnable::run,
          () -> now,
          4,
          () -> {});

  private void advanceTo(Instant target) {
    while (!due.isEmpty() && !due.peek().at().isAfter(target)) {
      Due next = due.poll();
      now = next.at();
      next.task().run();
    }
    now = target;
  }

  private Instant renewTime(String node) {
    return api.leases.get(node).getSpec().getRenewTime().toInstant();
  }

  @Test
  void registersAtOnceThenRenewsInEvenlySpreadSlotsEveryTenSeconds() {
    for (int i = 0; i < 4; i++) {
      loop.start(
          new NodeHeartbeat(
              NodeFixtures.config("n" + i), () -> NodeHealth.HEALTHY, api, Duration.ofMinutes(1)),
          HeartbeatLoop.spreadOffset(i, 4, NodeLeases.RENEW_INTERVAL));
    }
    assertThat(api.nodes).hasSize(4);
    assertThat(api.leases.values())
        .allSatisfy(l -> assertThat(l.getSpec().getRenewTime().toInstant()).isEqualTo(T0));

    advanceTo(T0.plusSeconds(6));
    assertThat(renewTime("n0")).isEqualTo(T0);
    assertThat(renewTime("n1")).isEqualTo(T0.plusMillis(2500));
    assertThat(renewTime("n2")).isEqualTo(T0.plusSeconds(5));
    assertThat(renewTime("n3")).isEqualTo(T0);

    advanceTo(T0.plusSeconds(60));
    assertThat(renewTime("n0")).isEqualTo(T0.plusSeconds(60));
    assertThat(renewTime("n1")).isEqualTo(T0.plusMillis(52_500));
    assertThat(renewTime("n2")).isEqualTo(T0.plusSeconds(55));
    assertThat(renewTime("n3")).isEqualTo(T0.plusMillis(57_500));
    assertThat(loop.lateness().ticks()).isEqualTo(4 * 6);
    assertThat(loop.lateness().maxLateMillis()).isZero();
    assertThat(loop.lateness().maxRenewGapMillis()).isEqualTo(10_000);
    assertThat(loop.lateness().lapses()).isZero();
  }

  @Test
  void aFailedRenewalIsRetriedSoonAndTheNodeKeepsItsSlotAfterwards() {
    loop.start(
        new NodeHeartbeat(
            NodeFixtures.config("n0"), () -> NodeHealth.HEALTHY, api, Duration.ofMinutes(1)),
        Duration.ofSeconds(4));
    advanceTo(T0.plusSeconds(4));
    api.failNext = 1;

    advanceTo(T0.plusSeconds(14));
    assertThat(renewTime("n0")).isEqualTo(T0.plusSeconds(4));
    advanceTo(T0.plusMillis(14_200));
    assertThat(renewTime("n0")).isEqualTo(T0.plusMillis(14_200));

    advanceTo(T0.plusMillis(24_300));
    assertThat(renewTime("n0")).isEqualTo(T0.plusMillis(24_200));
  }

  @Test
  void closingStopsTheTicks() {
    loop.start(
        new NodeHeartbeat(
            NodeFixtures.config("n0"), () -> NodeHealth.HEALTHY, api, Duration.ofMinutes(1)),
        Duration.ZERO);
    loop.close();

    advanceTo(T0.plusSeconds(60));

    assertThat(renewTime("n0")).isEqualTo(T0);
  }
}
