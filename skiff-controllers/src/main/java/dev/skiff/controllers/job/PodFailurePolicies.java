package dev.skiff.controllers.job;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Evaluates a Job's podFailurePolicy against a failed pod: the first matching rule decides. */
public final class PodFailurePolicies {
  private PodFailurePolicies() {}

  /** The matching rule's action and the message Kubernetes reports for FailJob. */
  public record Decision(String action, String message) {}

  public static Optional<Decision> evaluate(PodFailurePolicy policy, Pod pod) {
    if (policy == null || policy.getRules() == null) {
      return Optional.empty();
    }
    List<PodFailurePolicyRule> rules = policy.getRules();
    for (int i = 0; i < rules.size(); i++) {
      PodFailurePolicyRule rule = rules.get(i);
      if (rule.getOnExitCodes() != null) {
        Optional<ContainerStatus> failed = matchingContainer(rule.getOnExitCodes(), pod);
        if (failed.isPresent()) {
          return Optional.of(
              new Decision(
                  rule.getAction(),
                  "Container "
                      + failed.get().getName()
                      + " for pod "
                      + pod.getMetadata().getNamespace()
                      + "/"
                      + pod.getMetadata().getName()
                      + " failed with exit code "
                      + failed.get().getState().getTerminated().getExitCode()
                      + " matching "
                      + rule.getAction()
                      + " rule at index "
                      + i));
        }
      } else if (rule.getOnPodConditions() != null
          && matchesCondition(rule.getOnPodConditions(), pod)) {
        return Optional.of(
            new Decision(
                rule.getAction(),
                "Pod "
                    + pod.getMetadata().getNamespace()
                    + "/"
                    + pod.getMetadata().getName()
                    + " has condition "
                    + matchedConditionType(rule.getOnPodConditions(), pod)
                    + " matching "
                    + rule.getAction()
                    + " rule at index "
                    + i));
      }
    }
    return Optional.empty();
  }

  private static Optional<ContainerStatus> matchingContainer(
      PodFailurePolicyOnExitCodesRequirement requirement, Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> statuses = new ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getContainerStatuses());
    }
    for (ContainerStatus status : statuses) {
      if (requirement.getContainerName() != null
          && !requirement.getContainerName().equals(status.getName())) {
        continue;
      }
      if (status.getState() == null || status.getState().getTerminated() == null) {
        continue;
      }
      int exitCode = status.getState().getTerminated().getExitCode();
      if (exitCode == 0) {
        continue;
      }
      boolean in = requirement.getValues() != null && requirement.getValues().contains(exitCode);
      if ("In".equals(requirement.getOperator()) == in) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }

  private static boolean matchesCondition(
      List<PodFailurePolicyOnPodConditionsPattern> patterns, Pod pod) {
    return matchedConditionType(patterns, pod) != null;
  }

  private static String matchedConditionType(
      List<PodFailurePolicyOnPodConditionsPattern> patterns, Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return null;
    }
    for (PodFailurePolicyOnPodConditionsPattern pattern : patterns) {
      String wantStatus = pattern.getStatus() == null ? "True" : pattern.getStatus();
      for (PodCondition condition : pod.getStatus().getConditions()) {
        if (Objects.equals(condition.getType(), pattern.getType())
            && Objects.equals(condition.getStatus(), wantStatus)) {
          return condition.getType();
        }
      }
    }
    return null;
  }
}
