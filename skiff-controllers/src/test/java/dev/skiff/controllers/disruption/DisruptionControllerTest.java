package dev.skiff.controllers.disruption;

import static dev.skiff.controllers.disruption.BudgetStatusTest.budget;
import static dev.skiff.controllers.disruption.BudgetStatusTest.ready;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DisruptionControllerTest {
  private final FakeClock clock = new FakeClock();
  private final CacheImpl<PodDisruptionBudget> budgets = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final List<PodDisruptionBudget> written = new ArrayList<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final DisruptionController controller =
      new DisruptionController(budgets, pods, BudgetStatusTest.SCALES, written::add, queue, clock);
  private final ObjectKey key = new ObjectKey("default", "b");

  @Test
  void writesTheComputedStatus() {
    budgets.put(budget(new IntOrString(1), null));
    pods.put(ready("a", null));
    pods.put(ready("b", null));

    assertThat(controller.reconcile(key)).isEqualTo(Result.done());

    assertThat(written).hasSize(1);
    var status = written.get(0).getStatus();
    assertThat(status.getExpectedPods()).isEqualTo(2);
    assertThat(status.getCurrentHealthy()).isEqualTo(2);
    assertThat(status.getDesiredHealthy()).isEqualTo(1);
    assertThat(status.getDisruptionsAllowed()).isEqualTo(1);
    assertThat(status.getObservedGeneration()).isEqualTo(3L);
    assertThat(status.getConditions().get(0).getReason()).isEqualTo("SufficientPods");
  }

  @Test
  void unchangedStatusIsNotWritten() {
    budgets.put(budget(new IntOrString(1), null));
    pods.put(ready("a", null));
    controller.reconcile(key);
    budgets.put(written.get(0));
    written.clear();

    controller.reconcile(key);

    assertThat(written).isEmpty();
  }

  @Test
  void podsOfOtherNamespacesOrLabelsAreIgnored() {
    budgets.put(budget(new IntOrString(0), null));
    Pod other = ready("x", null);
    other.getMetadata().setNamespace("elsewhere");
    pods.put(other);
    Pod unlabelled = ready("y", null);
    unlabelled.getMetadata().setLabels(Map.of("app", "db"));
    pods.put(unlabelled);

    controller.reconcile(key);

    assertThat(written.get(0).getStatus().getExpectedPods()).isZero();
  }

  @Test
  void unknownControllerGivesTheFailSafeStatus() {
    budgets.put(budget(null, new IntOrString(1)));
    pods.put(ready("a", "gone"));

    controller.reconcile(key);

    var status = written.get(0).getStatus();
    assertThat(status.getDisruptionsAllowed()).isZero();
    assertThat(status.getConditions().get(0).getStatus()).isEqualTo("False");
    assertThat(status.getConditions().get(0).getReason()).isEqualTo("SyncFailed");
  }

  @Test
  void disruptedPodsAreRecheckedAtTheirDeletionTimeout() {
    PodDisruptionBudget budget = budget(new IntOrString(1), null);
    budget.setStatus(
        new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder()
            .withDisruptedPods(Map.of("a", clock.instant().minusSeconds(20).toString()))
            .build());
    budgets.put(budget);
    pods.put(ready("a", null));
    pods.put(ready("b", null));

    Result result = controller.reconcile(key);

    assertThat(result.requeueAfter()).contains(Duration.ofSeconds(100));
    assertThat(written.get(0).getStatus().getCurrentHealthy()).isEqualTo(1);
    assertThat(written.get(0).getStatus().getDisruptionsAllowed()).isZero();
    assertThat(written.get(0).getStatus().getDisruptedPods()).containsOnlyKeys("a");
  }

  @Test
  void podEventsEnqueueTheBudgetsSelectingThem() throws InterruptedException {
    budgets.put(budget(new IntOrString(1), null));

    controller.podHandler().onAdd(ready("a", null));

    assertThat(queue.get()).isEqualTo(key);
  }

  @Test
  void deletedBudgetIsDone() {
    assertThat(controller.reconcile(key)).isEqualTo(Result.done());
    assertThat(written).isEmpty();
  }
}
