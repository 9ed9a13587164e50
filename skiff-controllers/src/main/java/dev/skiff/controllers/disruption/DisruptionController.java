package dev.skiff.controllers.disruption;

import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import dev.skiff.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Consumer;

/**
 * The disruption controller: keeps each PodDisruptionBudget's status (expectedPods, desiredHealthy,
 * currentHealthy, disruptionsAllowed, disruptedPods, observedGeneration and the DisruptionAllowed
 * condition) in line with the pods it selects. A budget that cannot be computed gets the fail-safe
 * status (no disruption allowed, reason SyncFailed).
 */
public final class DisruptionController implements Reconciler {
  private final Indexer<PodDisruptionBudget> budgets;
  private final Indexer<Pod> pods;
  private final ScaleFinder scales;
  private final Consumer<PodDisruptionBudget> statusWriter;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  /**
   * @param statusWriter stores the status of the given budget, conditional on its resourceVersion;
   *     throws on conflict
   */
  public DisruptionController(
      Indexer<PodDisruptionBudget> budgets,
      Indexer<Pod> pods,
      ScaleFinder scales,
      Consumer<PodDisruptionBudget> statusWriter,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.budgets = budgets;
    this.pods = pods;
    this.scales = scales;
    this.statusWriter = statusWriter;
    this.queue = queue;
    this.clock = clock;
  }

  @Override
  public Result reconcile(ObjectKey key) {
    PodDisruptionBudget budget = budgets.getByKey(key.cacheKey());
    if (budget == null) {
      return Result.done();
    }
    Instant now = clock.instant();
    PodDisruptionBudgetStatus status;
    Instant recheck = null;
    try {
      List<Pod> selected =
          BudgetStatus.selectedPods(budget, pods.byIndex(Cache.NAMESPACE_INDEX, key.namespace()));
      BudgetStatus.Counts counts = BudgetStatus.compute(budget, selected, scales, now);
      status = BudgetStatus.status(budget, counts, now);
      recheck = counts.recheckAt();
    } catch (BudgetStatus.SyncFailure | IllegalArgumentException e) {
      status = BudgetStatus.failSafe(budget, e.getMessage(), now);
    }
    if (BudgetStatus.changed(budget, status)) {
      statusWriter.accept(new PodDisruptionBudgetBuilder(budget).withStatus(status).build());
    }
    if (recheck != null) {
      Duration delay = Duration.between(now, recheck);
      return Result.requeueAfter(delay.isNegative() ? Duration.ZERO : delay);
    }
    return Result.done();
  }

  public ResourceEventHandler<PodDisruptionBudget> budgetHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(PodDisruptionBudget budget) {
        queue.add(ObjectKey.of(budget));
      }

      @Override
      public void onUpdate(PodDisruptionBudget old, PodDisruptionBudget budget) {
        queue.add(ObjectKey.of(budget));
      }

      @Override
      public void onDelete(PodDisruptionBudget budget, boolean unknown) {
        queue.add(ObjectKey.of(budget));
      }
    };
  }

  public ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        enqueueBudgetsOf(pod);
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {
        enqueueBudgetsOf(pod);
        if (!java.util.Objects.equals(
            old.getMetadata().getLabels(), pod.getMetadata().getLabels())) {
          enqueueBudgetsOf(old);
        }
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {
        enqueueBudgetsOf(pod);
      }
    };
  }

  private void enqueueBudgetsOf(Pod pod) {
    for (PodDisruptionBudget budget :
        budgets.byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
      if (Selectors.matches(budget.getSpec().getSelector(), pod.getMetadata().getLabels())) {
        queue.add(ObjectKey.of(budget));
      }
    }
  }
}
