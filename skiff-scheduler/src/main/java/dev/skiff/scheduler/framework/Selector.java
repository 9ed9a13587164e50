package dev.skiff.scheduler.framework;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A compiled label selector. */
public final class Selector {
  /** Matches every label set (an empty selector). */
  public static final Selector EVERYTHING = new Selector(List.of(), false);

  /** Matches nothing (a missing selector where Kubernetes reads it as "nothing"). */
  public static final Selector NOTHING = new Selector(List.of(), true);

  private record Requirement(String key, String operator, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> labels.containsKey(key);
        case "DoesNotExist" -> !labels.containsKey(key);
        default -> false;
      };
    }
  }

  private final List<Requirement> requirements;
  private final boolean nothing;

  private Selector(List<Requirement> requirements, boolean nothing) {
    this.requirements = requirements;
    this.nothing = nothing;
  }

  /** Compiles {@code selector}; null compiles to {@link #NOTHING}. */
  public static Selector of(LabelSelector selector) {
    if (selector == null) {
      return NOTHING;
    }
    List<Requirement> reqs = new ArrayList<>();
    if (selector.getMatchLabels() != null) {
      selector.getMatchLabels().forEach((k, v) -> reqs.add(new Requirement(k, "In", Set.of(v))));
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement e : selector.getMatchExpressions()) {
        List<String> values = e.getValues() == null ? List.of() : e.getValues();
        reqs.add(new Requirement(e.getKey(), e.getOperator(), Set.copyOf(values)));
      }
    }
    return new Selector(List.copyOf(reqs), false);
  }

  /** A selector requiring every given label (an empty map selects everything). */
  public static Selector ofLabels(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return EVERYTHING;
    }
    List<Requirement> reqs = new ArrayList<>();
    labels.forEach((k, v) -> reqs.add(new Requirement(k, "In", Set.of(v))));
    return new Selector(List.copyOf(reqs), false);
  }

  /** This selector plus {@code key In (value)}. */
  public Selector and(String key, String value) {
    if (nothing) {
      return this;
    }
    List<Requirement> reqs = new ArrayList<>(requirements);
    reqs.add(new Requirement(key, "In", Set.of(value)));
    return new Selector(List.copyOf(reqs), false);
  }

  /** This selector and every requirement of {@code other}. */
  public Selector and(Selector other) {
    if (nothing || other.nothing) {
      return NOTHING;
    }
    List<Requirement> reqs = new ArrayList<>(requirements);
    reqs.addAll(other.requirements);
    return new Selector(List.copyOf(reqs), false);
  }

  public boolean isEmpty() {
    return !nothing && requirements.isEmpty();
  }

  public boolean matches(Map<String, String> labels) {
    if (nothing) {
      return false;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    for (Requirement r : requirements) {
      if (!r.matches(l)) {
        return false;
      }
    }
    return true;
  }
}
