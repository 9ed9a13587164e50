package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;

/** Label selector matching as Kubernetes defines it for workload selectors. */
public final class Selectors {
  private Selectors() {}

  /**
   * Whether labels satisfy the selector. A null selector matches nothing; an empty one (no
   * matchLabels, no matchExpressions) matches everything.
   */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> actual = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> required : selector.getMatchLabels().entrySet()) {
        if (!required.getValue().equals(actual.get(required.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        if (!matches(requirement, actual)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(requirement.getKey());
      case "DoesNotExist" -> !labels.containsKey(requirement.getKey());
      default -> false;
    };
  }

  /**
   * A map selector (ReplicationController, Service): every pair must be present. A null or empty
   * map selects nothing, as Kubernetes treats an empty set-based selector from a map.
   */
  public static boolean matchesMap(Map<String, String> selector, Map<String, String> labels) {
    if (selector == null || selector.isEmpty()) {
      return false;
    }
    Map<String, String> actual = labels == null ? Map.of() : labels;
    for (Map.Entry<String, String> required : selector.entrySet()) {
      if (!required.getValue().equals(actual.get(required.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The selector "every label of the map", for ReplicationControllers. */
  public static LabelSelector fromMap(Map<String, String> selector) {
    if (selector == null || selector.isEmpty()) {
      return null;
    }
    LabelSelector labelSelector = new LabelSelector();
    labelSelector.setMatchLabels(Map.copyOf(selector));
    return labelSelector;
  }

  /** True when the selector has neither labels nor expressions (it would select everything). */
  public static boolean isEmpty(LabelSelector selector) {
    return selector != null
        && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
        && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
  }
}
