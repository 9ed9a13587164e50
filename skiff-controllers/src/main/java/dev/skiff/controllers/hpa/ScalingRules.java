package dev.skiff.controllers.hpa;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.List;

/**
 * One direction's scaling rules with Kubernetes' defaults filled in.
 *
 * @param stabilizationWindowSeconds recommendations this far back are considered
 * @param selectPolicy Max, Min or Disabled
 * @param policies the rate limits
 */
public record ScalingRules(
    int stabilizationWindowSeconds, String selectPolicy, List<Policy> policies) {
  public static final String MAX = "Max";
  public static final String MIN = "Min";
  public static final String DISABLED = "Disabled";

  /**
   * A rate limit: at most {@code value} pods, or {@code value} percent of the replicas at the
   * period's start, per {@code periodSeconds}.
   */
  public record Policy(String type, int value, int periodSeconds) {
    public static final String PODS = "Pods";
    public static final String PERCENT = "Percent";
  }

  public ScalingRules {
    policies = List.copyOf(policies);
  }

  /** Scale-up defaults: no stabilization, the larger of 100 % and 4 pods per 15 s. */
  public static ScalingRules scaleUp(HPAScalingRules rules) {
    return of(
        rules, 0, List.of(new Policy(Policy.PERCENT, 100, 15), new Policy(Policy.PODS, 4, 15)));
  }

  /**
   * Scale-down defaults: a window of {@code defaultWindowSeconds} (the controller's downscale
   * stabilization, 300 s), 100 % per 15 s.
   */
  public static ScalingRules scaleDown(HPAScalingRules rules, int defaultWindowSeconds) {
    return of(rules, defaultWindowSeconds, List.of(new Policy(Policy.PERCENT, 100, 15)));
  }

  /** Both directions of a behavior; null parts take the defaults. */
  public static ScalingRules[] of(HorizontalPodAutoscalerBehavior behavior, int downscaleWindow) {
    return new ScalingRules[] {
      scaleUp(behavior == null ? null : behavior.getScaleUp()),
      scaleDown(behavior == null ? null : behavior.getScaleDown(), downscaleWindow)
    };
  }

  private static ScalingRules of(HPAScalingRules rules, int defaultWindow, List<Policy> defaults) {
    if (rules == null) {
      return new ScalingRules(defaultWindow, MAX, defaults);
    }
    List<Policy> policies =
        rules.getPolicies() == null || rules.getPolicies().isEmpty()
            ? defaults
            : rules.getPolicies().stream().map(ScalingRules::policy).toList();
    return new ScalingRules(
        rules.getStabilizationWindowSeconds() == null
            ? defaultWindow
            : rules.getStabilizationWindowSeconds(),
        rules.getSelectPolicy() == null ? MAX : rules.getSelectPolicy(),
        policies);
  }

  private static Policy policy(HPAScalingPolicy policy) {
    return new Policy(
        policy.getType(),
        policy.getValue() == null ? 0 : policy.getValue(),
        policy.getPeriodSeconds() == null ? 0 : policy.getPeriodSeconds());
  }

  /** The longest policy period: how long scale events must be remembered. */
  int longestPeriodSeconds() {
    int longest = 0;
    for (Policy policy : policies) {
      longest = Math.max(longest, policy.periodSeconds());
    }
    return longest;
  }
}
