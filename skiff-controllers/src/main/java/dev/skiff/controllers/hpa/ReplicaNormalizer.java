package dev.skiff.controllers.hpa;

import dev.skiff.controllers.runtime.ObjectKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a metric's recommendation into the replica count to apply, remembering per autoscaler its
 * recent recommendations (for stabilization windows) and scale changes (for rate policies), as
 * Kubernetes' HPA does in memory. Without a behavior the legacy rules hold: a scale-down takes the
 * highest recommendation of the downscale stabilization window, a scale-up at most doubles (at
 * least to 4); with one, each direction's stabilization window and policies apply.
 */
public final class ReplicaNormalizer {
  /**
   * The replica count to apply and the AbleToScale / ScalingLimited conditions that explain it.
   *
   * @param stabilized whether a stabilization window changed the recommendation
   * @param limited whether min/max replicas or a rate limit changed it further
   */
  public record Normalized(
      int replicas,
      boolean stabilized,
      String ableReason,
      String ableMessage,
      boolean limited,
      String limitReason,
      String limitMessage) {}

  private record Recommendation(int replicas, Instant at) {}

  private record ScaleEvent(int change, Instant at) {}

  private static final class History {
    final List<Recommendation> recommendations = new ArrayList<>();
    final List<ScaleEvent> scaleUps = new ArrayList<>();
    final List<ScaleEvent> scaleDowns = new ArrayList<>();
  }

  private final InstantSource clock;
  private final Duration downscaleStabilization;
  private final Map<ObjectKey, History> histories = new ConcurrentHashMap<>();

  /**
   * @param downscaleStabilization kube-controller-manager's {@code
   *     --horizontal-pod-autoscaler-downscale-stabilization} (5 min)
   */
  public ReplicaNormalizer(InstantSource clock, Duration downscaleStabilization) {
    this.clock = clock;
    this.downscaleStabilization = downscaleStabilization;
  }

  /** Starts an autoscaler's history with the current replica count, once. */
  public void recordInitial(ObjectKey key, int currentReplicas) {
    History history = history(key);
    synchronized (history) {
      if (history.recommendations.isEmpty()) {
        history.recommendations.add(new Recommendation(currentReplicas, clock.instant()));
      }
    }
  }

  /** Forgets a deleted autoscaler. */
  public void forget(ObjectKey key) {
    histories.remove(key);
  }

  /** The legacy path, for an autoscaler without a behavior. */
  public Normalized normalize(
      ObjectKey key, int currentReplicas, int recommended, int minReplicas, int maxReplicas) {
    History history = history(key);
    int stabilized;
    synchronized (history) {
      stabilized = stabilizeLegacy(history, recommended);
    }
    boolean changed = stabilized != recommended;
    int scaleUpLimit = Math.max(2 * currentReplicas, 4);
    int replicas = stabilized;
    String reason = "DesiredWithinRange";
    String message = "the desired count is within the acceptable range";
    int maximum;
    String maxReason;
    String maxMessage;
    if (maxReplicas > scaleUpLimit) {
      maximum = scaleUpLimit;
      maxReason = "ScaleUpLimit";
      maxMessage = "the desired replica count is increasing faster than the maximum scale rate";
    } else {
      maximum = maxReplicas;
      maxReason = "TooManyReplicas";
      maxMessage = "the desired replica count is more than the maximum replica count";
    }
    if (stabilized < minReplicas) {
      replicas = minReplicas;
      reason = "TooFewReplicas";
      message = "the desired replica count is less than the minimum replica count";
    } else if (stabilized > maximum) {
      replicas = maximum;
      reason = maxReason;
      message = maxMessage;
    }
    return new Normalized(
        replicas,
        changed,
        changed ? "ScaleDownStabilized" : "ReadyForNewScale",
        changed
            ? "recent recommendations were higher than current one, applying the highest recent"
                + " recommendation"
            : "recommended size matches current size",
        replicas != stabilized,
        reason,
        message);
  }

  private int stabilizeLegacy(History history, int recommended) {
    Instant now = clock.instant();
    Instant cutoff = now.minus(downscaleStabilization);
    int max = recommended;
    int oldIndex = -1;
    for (int i = 0; i < history.recommendations.size(); i++) {
      Recommendation r = history.recommendations.get(i);
      if (r.at().isBefore(cutoff)) {
        oldIndex = i;
      } else {
        max = Math.max(max, r.replicas());
      }
    }
    store(history.recommendations, oldIndex, new Recommendation(recommended, now));
    return max;
  }

  /** The behavior path: stabilization window first, then the rate policies and min/max. */
  public Normalized normalize(
      ObjectKey key,
      ScalingRules scaleUp,
      ScalingRules scaleDown,
      int currentReplicas,
      int recommended,
      int minReplicas,
      int maxReplicas) {
    History history = history(key);
    synchronized (history) {
      Instant now = clock.instant();
      boolean up = recommended >= currentReplicas;
      int window =
          up ? scaleUp.stabilizationWindowSeconds() : scaleDown.stabilizationWindowSeconds();
      int longestWindow =
          Math.max(scaleUp.stabilizationWindowSeconds(), scaleDown.stabilizationWindowSeconds());
      Instant cutoff = now.minusSeconds(window);
      Instant obsolete = now.minusSeconds(longestWindow);
      int stabilized = recommended;
      int oldIndex = -1;
      for (int i = 0; i < history.recommendations.size(); i++) {
        Recommendation r = history.recommendations.get(i);
        if (r.at().isAfter(cutoff)) {
          stabilized = up ? Math.min(stabilized, r.replicas()) : Math.max(stabilized, r.replicas());
        }
        if (r.at().isBefore(obsolete)) {
          oldIndex = i;
        }
      }
      store(history.recommendations, oldIndex, new Recommendation(recommended, now));
      boolean changed = stabilized != recommended;
      String ableReason = "ReadyForNewScale";
      String ableMessage = "recommended size matches current size";
      if (changed) {
        ableReason = up ? "ScaleUpStabilized" : "ScaleDownStabilized";
        ableMessage =
            up
                ? "recent recommendations were lower than current one, applying the lowest recent"
                    + " recommendation"
                : "recent recommendations were higher than current one, applying the highest"
                    + " recent recommendation";
      }
      int replicas = stabilized;
      String reason = "DesiredWithinRange";
      String message = "the desired count is within the acceptable range";
      if (stabilized > currentReplicas) {
        int limit =
            Math.max(
                scaleUpLimit(currentReplicas, history.scaleUps, scaleUp, now), currentReplicas);
        int maximum = maxReplicas;
        String limitReason = "TooManyReplicas";
        String limitMessage = "the desired replica count is more than the maximum replica count";
        if (maximum > limit) {
          maximum = limit;
          limitReason = "ScaleUpLimit";
          limitMessage =
              "the desired replica count is increasing faster than the maximum scale rate";
        }
        if (stabilized > maximum) {
          replicas = maximum;
          reason = limitReason;
          message = limitMessage;
        }
      } else if (stabilized < currentReplicas) {
        int limit =
            Math.min(
                scaleDownLimit(currentReplicas, history.scaleDowns, scaleDown, now),
                currentReplicas);
        int minimum = minReplicas;
        String limitReason = "TooFewReplicas";
        String limitMessage = "the desired replica count is less than the minimum replica count";
        if (minimum < limit) {
          minimum = limit;
          limitReason = "ScaleDownLimit";
          limitMessage =
              "the desired replica count is decreasing faster than the maximum scale rate";
        }
        if (stabilized < minimum) {
          replicas = minimum;
          reason = limitReason;
          message = limitMessage;
        }
      }
      return new Normalized(
          replicas, changed, ableReason, ableMessage, replicas != stabilized, reason, message);
    }
  }

  /** Remembers a rescale for the rate policies of its direction. */
  public void recordScale(
      ObjectKey key, ScalingRules scaleUp, ScalingRules scaleDown, int previous, int replicas) {
    History history = history(key);
    synchronized (history) {
      Instant now = clock.instant();
      boolean up = replicas > previous;
      List<ScaleEvent> events = up ? history.scaleUps : history.scaleDowns;
      int period = (up ? scaleUp : scaleDown).longestPeriodSeconds();
      Instant cutoff = now.minusSeconds(period);
      int oldIndex = -1;
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i).at().isBefore(cutoff)) {
          oldIndex = i;
        }
      }
      store(events, oldIndex, new ScaleEvent(Math.abs(replicas - previous), now));
    }
  }

  private static <T> void store(List<T> list, int reuseIndex, T value) {
    if (reuseIndex >= 0) {
      list.set(reuseIndex, value);
    } else {
      list.add(value);
    }
  }

  private static int changeInPeriod(List<ScaleEvent> events, int periodSeconds, Instant now) {
    Instant cutoff = now.minusSeconds(periodSeconds);
    int change = 0;
    for (ScaleEvent event : events) {
      if (event.at().isAfter(cutoff)) {
        change += event.change();
      }
    }
    return change;
  }

  /** The most replicas the scale-up policies allow now. */
  static int scaleUpLimit(
      int currentReplicas, List<ScaleEvent> events, ScalingRules rules, Instant now) {
    if (rules.selectPolicy().equals(ScalingRules.DISABLED)) {
      return currentReplicas;
    }
    boolean min = rules.selectPolicy().equals(ScalingRules.MIN);
    int result = min ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    for (ScalingRules.Policy policy : rules.policies()) {
      int periodStart = currentReplicas - changeInPeriod(events, policy.periodSeconds(), now);
      int proposed =
          policy.type().equals(ScalingRules.Policy.PODS)
              ? periodStart + policy.value()
              : (int) Math.ceil(periodStart * (1 + policy.value() / 100.0));
      result = min ? Math.min(result, proposed) : Math.max(result, proposed);
    }
    return rules.policies().isEmpty() ? currentReplicas : result;
  }

  /** The fewest replicas the scale-down policies allow now. */
  static int scaleDownLimit(
      int currentReplicas, List<ScaleEvent> events, ScalingRules rules, Instant now) {
    if (rules.selectPolicy().equals(ScalingRules.DISABLED)) {
      return currentReplicas;
    }
    boolean min = rules.selectPolicy().equals(ScalingRules.MIN);
    int result = min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    for (ScalingRules.Policy policy : rules.policies()) {
      int periodStart = currentReplicas + changeInPeriod(events, policy.periodSeconds(), now);
      int proposed =
          policy.type().equals(ScalingRules.Policy.PODS)
              ? periodStart - policy.value()
              : (int) (periodStart * (1 - policy.value() / 100.0));
      result = min ? Math.max(result, proposed) : Math.min(result, proposed);
    }
    return rules.policies().isEmpty() ? currentReplicas : result;
  }

  private History history(ObjectKey key) {
    return histories.computeIfAbsent(key, k -> new History());
  }
}
