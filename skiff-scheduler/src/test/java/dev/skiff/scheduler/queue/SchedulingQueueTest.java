package dev.skiff.scheduler.queue;

import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.plugins.PrioritySort;
import dev.skiff.scheduler.plugins.SchedulingGates;
import dev.skiff.scheduler.testing.FakeClock;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchedulingQueueTest {
  final FakeClock clock = new FakeClock();
  final PrioritySort sort = new PrioritySort();
  final SchedulingGates gates = new SchedulingGates();
  final SchedulingQueue queue =
      new SchedulingQueue(
          (a, b) -> sort.less(a, b) ? -1 : sort.less(b, a) ? 1 : 0,
          gates::preEnqueue,
          plugin ->
              plugin.equals("NodeResourcesFit")
                  ? Set.of(ClusterEvent.NODE_ADD, ClusterEvent.ASSIGNED_POD_DELETE)
                  : null,
          clock,
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          SchedulingQueue.DEFAULT_MAX_UNSCHEDULABLE);

  static PodInfo withPriority(String name, int priority) {
    return PodInfo.of(pod(name, null, null).editSpec().withPriority(priority).endSpec().build());
  }

  QueuedPodInfo pop() throws InterruptedException {
    return queue.poll(Duration.ZERO);
  }

  @Test
  void popsByPriorityThenByArrival() throws Exception {
    queue.add(withPriority("low", 0));
    clock.advance(Duration.ofMillis(1));
    queue.add(withPriority("high", 100));
    clock.advance(Duration.ofMillis(1));
    queue.add(withPriority("low-later", 0));
    assertThat(pop().podInfo().name()).isEqualTo("high");
    assertThat(pop().podInfo().name()).isEqualTo("low");
    assertThat(pop().podInfo().name()).isEqualTo("low-later");
    assertThat(pop()).isNull();
  }

  record BackoffCase(String name, int attempts, Duration expected) {}

  static Stream<BackoffCase> backoffs() {
    return Stream.of(
        new BackoffCase("first attempt", 1, Duration.ofSeconds(1)),
        new BackoffCase("second attempt", 2, Duration.ofSeconds(2)),
        new BackoffCase("fourth attempt", 4, Duration.ofSeconds(8)),
        new BackoffCase("capped", 5, Duration.ofSeconds(10)),
        new BackoffCase("stays capped", 30, Duration.ofSeconds(10)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backoffs")
  void exponentialBackoff(BackoffCase c) {
    assertThat(queue.backoffDuration(c.attempts())).isEqualTo(c.expected());
  }

  @Test
  void erroredPodsBackOffAndReturnWhenTheBackoffExpires() throws Exception {
    queue.add(withPriority("p", 0));
    QueuedPodInfo q = pop();
    queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle());
    assertThat(queue.pendingCounts()).containsEntry("backoff", 1);
    clock.advance(Duration.ofMillis(999));
    queue.flushBackoffQCompleted();
    assertThat(pop()).isNull();
    clock.advance(Duration.ofMillis(1));
    queue.flushBackoffQCompleted();
    assertThat(pop().attempts()).isEqualTo(2);
  }

  @Test
  void unschedulablePodsMoveOnlyOnEventsTheirPluginsRegistered() throws Exception {
    queue.add(withPriority("p", 0));
    QueuedPodInfo q = pop();
    q.unschedulablePlugins().add("NodeResourcesFit");
    queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle());
    assertThat(queue.pendingCounts()).containsEntry("unschedulable", 1);

    queue.moveAllToActiveOrBackoff(ClusterEvent.PVC_CHANGE);
    assertThat(queue.pendingCounts()).containsEntry("unschedulable", 1);

    queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_ADD);
    assertThat(queue.pendingCounts()).containsEntry("backoff", 1).containsEntry("unschedulable", 0);
    clock.advance(Duration.ofSeconds(1));
    queue.flushBackoffQCompleted();
    assertThat(pop().podInfo().name()).isEqualTo("p");
  }

  @Test
  void aMoveDuringTheCycleSendsTheFailedPodToBackoff() throws Exception {
    queue.add(withPriority("p", 0));
    QueuedPodInfo q = pop();
    long cycle = queue.schedulingCycle();
    queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_ADD);
    q.unschedulablePlugins().add("NodeResourcesFit");
    queue.addUnschedulableIfNotPresent(q, cycle);
    assertThat(queue.pendingCounts()).containsEntry("backoff", 1);
  }

  @Test
  void leftoverUnschedulablePodsAreFlushedAfterFiveMinutes() throws Exception {
    queue.add(withPriority("p", 0));
    QueuedPodInfo q = pop();
    q.unschedulablePlugins().add("NodeResourcesFit");
    queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle());
    clock.advance(Duration.ofMinutes(5));
    queue.flushUnschedulablePodsLeftover();
    assertThat(queue.pendingCounts()).containsEntry("unschedulable", 1);
    clock.advance(Duration.ofSeconds(1));
    queue.flushUnschedulablePodsLeftover();
    assertThat(pop().podInfo().name()).isEqualTo("p");
  }

  @Test
  void gatedPodsWaitUntilTheirGatesAreRemoved() throws Exception {
    PodInfo gated =
        PodInfo.of(
            pod("g", null, null)
                .editSpec()
                .addNewSchedulingGate("example.com/quota")
                .endSpec()
                .build());
    queue.add(gated);
    assertThat(pop()).isNull();
    assertThat(queue.pendingCounts()).containsEntry("gated", 1);
    assertThat(gates.preEnqueue(gated).message())
        .isEqualTo("waiting for scheduling gates: [example.com/quota]");
    assertThat(gates.preEnqueue(gated).code())
        .isEqualTo(PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);

    queue.moveAllToActiveOrBackoff(ClusterEvent.WILDCARD);
    assertThat(pop()).isNull();

    PodInfo ungated =
        PodInfo.of(new PodBuilder(gated.pod()).editSpec().withSchedulingGates().endSpec().build());
    queue.update(gated, ungated);
    assertThat(pop().podInfo().name()).isEqualTo("g");
  }

  @Test
  void deletedPodsLeaveEveryQueueAndTheirNomination() throws Exception {
    PodInfo p = withPriority("p", 0);
    queue.add(p);
    queue.addNominatedPod(p, "n1");
    queue.delete(p);
    assertThat(pop()).isNull();
    assertThat(queue.nominatedPodsForNode("n1")).isEmpty();
    assertThat(queue.pendingCounts().values()).allMatch(n -> n == 0);
  }

  @Test
  void aSpecUpdateMovesAnUnschedulablePod() throws Exception {
    PodInfo p = withPriority("p", 0);
    queue.add(p);
    QueuedPodInfo q = pop();
    q.unschedulablePlugins().add("NodeResourcesFit");
    queue.addUnschedulableIfNotPresent(q, queue.schedulingCycle());
    PodInfo statusOnly =
        PodInfo.of(new PodBuilder(p.pod()).editStatus().withMessage("x").endStatus().build());
    queue.update(p, statusOnly);
    assertThat(queue.pendingCounts()).containsEntry("unschedulable", 1);
    PodInfo relabelled =
        PodInfo.of(
            new PodBuilder(p.pod())
                .editMetadata()
                .withLabels(Map.of("tier", "web"))
                .endMetadata()
                .build());
    clock.advance(Duration.ofSeconds(5));
    queue.update(statusOnly, relabelled);
    assertThat(pop().podInfo().labels()).containsEntry("tier", "web");
  }
}
