package dev.skiff.controllers.disruption;

import dev.skiff.client.Timestamps;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The status of a PodDisruptionBudget computed from the pods it selects, with Kubernetes' rules:
 * expectedPods is the number of selected pods for an integer minAvailable, otherwise the sum of the
 * scales of the controllers owning them; desiredHealthy is minAvailable (percentages rounded up) or
 * expectedPods minus maxUnavailable (rounded up), never below zero; currentHealthy counts Ready
 * pods that are neither terminating nor recently evicted; disruptionsAllowed is currentHealthy
 * minus desiredHealthy, never below zero and zero when no pod is expected.
 */
public final class BudgetStatus {
  /** How long an evicted pod recorded in disruptedPods is expected to take to go away. */
  public static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

  public static final String CONDITION = "DisruptionAllowed";
  public static final String SUFFICIENT = "SufficientPods";
  public static final String INSUFFICIENT = "InsufficientPods";
  public static final String SYNC_FAILED = "SyncFailed";

  /** The numbers of one sync and when disruptedPods must be looked at again (null = never). */
  public record Counts(
      int expectedPods,
      int desiredHealthy,
      int currentHealthy,
      int disruptionsAllowed,
      Map<String, String> disruptedPods,
      Instant recheckAt,
      List<String> unmanagedPods) {}

  /** The budget cannot be computed (no controller found, invalid percentage). */
  public static final class SyncFailure extends RuntimeException {
    public SyncFailure(String message) {
      super(message);
    }
  }

  private BudgetStatus() {}

  /** The pods of the budget's namespace its selector matches (a null selector matches none). */
  public static List<Pod> selectedPods(PodDisruptionBudget budget, List<Pod> namespacePods) {
    List<Pod> out = new ArrayList<>();
    for (Pod pod : namespacePods) {
      if (Selectors.matches(budget.getSpec().getSelector(), pod.getMetadata().getLabels())) {
        out.add(pod);
      }
    }
    return out;
  }

  public static Counts compute(
      PodDisruptionBudget budget, List<Pod> pods, ScaleFinder scales, Instant now) {
    IntOrString minAvailable = budget.getSpec().getMinAvailable();
    IntOrString maxUnavailable = budget.getSpec().getMaxUnavailable();
    int expected = 0;
    int desired = 0;
    List<String> unmanaged = new ArrayList<>();
    if (maxUnavailable != null) {
      expected = expectedScale(pods, scales, unmanaged);
      int max = scaled(maxUnavailable, expected);
      desired = Math.max(0, expected - max);
    } else if (minAvailable != null) {
      if (minAvailable.getStrVal() == null) {
        desired = minAvailable.getIntVal() == null ? 0 : minAvailable.getIntVal();
        expected = pods.size();
      } else {
        expected = expectedScale(pods, scales, unmanaged);
        desired = scaled(minAvailable, expected);
      }
    }
    Map<String, String> recorded =
        budget.getStatus() == null || budget.getStatus().getDisruptedPods() == null
            ? Map.of()
            : budget.getStatus().getDisruptedPods();
    Map<String, String> disrupted = new TreeMap<>();
    Instant recheck = null;
    for (Pod pod : pods) {
      if (Pods.isTerminating(pod)) {
        continue;
      }
      String at = recorded.get(pod.getMetadata().getName());
      Instant since = at == null ? null : Timestamps.parse(at);
      if (since == null) {
        continue;
      }
      Instant expectedDeletion = since.plus(DELETION_TIMEOUT);
      if (!expectedDeletion.isBefore(now)) {
        if (recheck == null || expectedDeletion.isBefore(recheck)) {
          recheck = expectedDeletion;
        }
        disrupted.put(pod.getMetadata().getName(), at);
      }
    }
    int healthy = 0;
    for (Pod pod : pods) {
      if (Pods.isTerminating(pod)) {
        continue;
      }
      String at = disrupted.get(pod.getMetadata().getName());
      if (at != null && Timestamps.parse(at).plus(DELETION_TIMEOUT).isAfter(now)) {
        continue;
      }
      if (Pods.isReady(pod)) {
        healthy++;
      }
    }
    int allowed = healthy - desired;
    if (expected <= 0 || allowed <= 0) {
      allowed = 0;
    }
    return new Counts(expected, desired, healthy, allowed, disrupted, recheck, unmanaged);
  }

  /** The sum of the scales of the controllers owning the pods, each controller once. */
  private static int expectedScale(List<Pod> pods, ScaleFinder scales, List<String> unmanaged) {
    Map<String, Integer> byController = new LinkedHashMap<>();
    for (Pod pod : pods) {
      Optional<OwnerReference> ref = Pods.controllerRef(pod);
      if (ref.isEmpty()) {
        unmanaged.add(pod.getMetadata().getName());
        continue;
      }
      if (byController.containsKey(ref.get().getUid())) {
        continue;
      }
      ScaleFinder.ControllerScale scale =
          scales
              .find(ref.get(), pod.getMetadata().getNamespace())
              .orElseThrow(
                  () ->
                      new SyncFailure(
                          "found no controllers for pod \"" + pod.getMetadata().getName() + "\""));
      byController.put(scale.uid(), scale.replicas());
      byController.putIfAbsent(ref.get().getUid(), 0);
    }
    return byController.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** An integer, or a percentage of {@code total} rounded up. */
  static int scaled(IntOrString value, int total) {
    if (value.getStrVal() == null) {
      return value.getIntVal() == null ? 0 : value.getIntVal();
    }
    String s = value.getStrVal();
    if (!s.endsWith("%")) {
      throw new SyncFailure(
          "invalid value for IntOrString: invalid type: string is not a percentage");
    }
    int percent;
    try {
      percent = Integer.parseInt(s.substring(0, s.length() - 1));
    } catch (NumberFormatException e) {
      throw new SyncFailure("invalid value \"" + s + "\": " + e.getMessage());
    }
    return (int) Math.ceil(percent * (double) total / 100.0);
  }

  /**
   * The status to store: the counts, observedGeneration, and the DisruptionAllowed condition
   * (SufficientPods when a disruption is allowed, InsufficientPods otherwise).
   */
  public static PodDisruptionBudgetStatus status(
      PodDisruptionBudget budget, Counts counts, Instant now) {
    long generation = generation(budget);
    PodDisruptionBudgetStatus status = new PodDisruptionBudgetStatus();
    status.setExpectedPods(counts.expectedPods());
    status.setDesiredHealthy(counts.desiredHealthy());
    status.setCurrentHealthy(counts.currentHealthy());
    status.setDisruptionsAllowed(counts.disruptionsAllowed());
    status.setDisruptedPods(new TreeMap<>(counts.disruptedPods()));
    status.setObservedGeneration(generation);
    boolean allowed = counts.disruptionsAllowed() > 0;
    status.setConditions(
        withCondition(
            current(budget).getConditions(),
            allowed ? "True" : "False",
            allowed ? SUFFICIENT : INSUFFICIENT,
            "",
            generation,
            now));
    return status;
  }

  /**
   * The fail-safe status when the budget cannot be computed: no disruption allowed, condition False
   * with reason SyncFailed and the error as message, the rest kept.
   */
  public static PodDisruptionBudgetStatus failSafe(
      PodDisruptionBudget budget, String message, Instant now) {
    long generation = generation(budget);
    PodDisruptionBudgetStatus old = current(budget);
    PodDisruptionBudgetStatus status = new PodDisruptionBudgetStatus();
    status.setExpectedPods(old.getExpectedPods());
    status.setDesiredHealthy(old.getDesiredHealthy());
    status.setCurrentHealthy(old.getCurrentHealthy());
    status.setDisruptedPods(old.getDisruptedPods());
    status.setDisruptionsAllowed(0);
    status.setObservedGeneration(generation);
    status.setConditions(
        withCondition(old.getConditions(), "False", SYNC_FAILED, message, generation, now));
    return status;
  }

  /** Whether storing {@code desired} would change what the budget already says. */
  public static boolean changed(PodDisruptionBudget budget, PodDisruptionBudgetStatus desired) {
    PodDisruptionBudgetStatus old = current(budget);
    Map<String, String> oldPods =
        old.getDisruptedPods() == null ? Map.of() : old.getDisruptedPods();
    Map<String, String> newPods =
        desired.getDisruptedPods() == null ? Map.of() : desired.getDisruptedPods();
    return !Objects.equals(old.getExpectedPods(), desired.getExpectedPods())
        || !Objects.equals(old.getDesiredHealthy(), desired.getDesiredHealthy())
        || !Objects.equals(old.getCurrentHealthy(), desired.getCurrentHealthy())
        || !Objects.equals(old.getDisruptionsAllowed(), desired.getDisruptionsAllowed())
        || !Objects.equals(old.getObservedGeneration(), desired.getObservedGeneration())
        || !oldPods.equals(newPods)
        || !Objects.equals(old.getConditions(), desired.getConditions());
  }

  private static PodDisruptionBudgetStatus current(PodDisruptionBudget budget) {
    return budget.getStatus() == null ? new PodDisruptionBudgetStatus() : budget.getStatus();
  }

  private static long generation(PodDisruptionBudget budget) {
    Long generation = budget.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  /** Sets the DisruptionAllowed condition the way meta.SetStatusCondition does. */
  private static List<Condition> withCondition(
      List<Condition> existing,
      String status,
      String reason,
      String message,
      long generation,
      Instant now) {
    List<Condition> out = new ArrayList<>();
    boolean found = false;
    for (Condition c : existing == null ? List.<Condition>of() : existing) {
      if (!CONDITION.equals(c.getType())) {
        out.add(c);
        continue;
      }
      found = true;
      String transition =
          status.equals(c.getStatus()) && c.getLastTransitionTime() != null
              ? c.getLastTransitionTime()
              : Timestamps.time(now);
      out.add(condition(status, reason, message, generation, transition));
    }
    if (!found) {
      out.add(condition(status, reason, message, generation, Timestamps.time(now)));
    }
    return out;
  }

  private static Condition condition(
      String status, String reason, String message, long generation, String transition) {
    return new ConditionBuilder()
        .withType(CONDITION)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }
}
