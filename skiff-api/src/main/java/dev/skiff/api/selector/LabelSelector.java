package dev.skiff.api.selector;

import dev.skiff.api.selector.LabelRequirement.Operator;
import dev.skiff.api.validation.NameValidation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * A label selector: requirements that all must hold. Parsed from the query string form ({@code
 * app=web,tier!=db,env in (a,b),!legacy}) or from a metav1 LabelSelector object; errors are {@link
 * IllegalArgumentException}s worded as Kubernetes words them.
 *
 * <p>A selector with no requirements selects everything; {@link #nothing()} (what a missing
 * selector object converts to) selects nothing.
 */
public final class LabelSelector {
  private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
  private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

  private final List<LabelRequirement> requirements;
  private final boolean nothing;

  private LabelSelector(List<LabelRequirement> requirements, boolean nothing) {
    this.requirements = List.copyOf(requirements);
    this.nothing = nothing;
  }

  public static LabelSelector everything() {
    return EVERYTHING;
  }

  public static LabelSelector nothing() {
    return NOTHING;
  }

  /** Parses the {@code labelSelector} query parameter form; null or blank selects everything. */
  public static LabelSelector parse(String selector) {
    if (selector == null) {
      return EVERYTHING;
    }
    List<LabelRequirement> parsed = new LabelSelectorParser(selector).parse();
    return of(parsed);
  }

  /** A selector of the given requirements, ordered by key as Kubernetes orders them. */
  public static LabelSelector of(List<LabelRequirement> requirements) {
    List<LabelRequirement> sorted = new ArrayList<>(requirements);
    sorted.sort(Comparator.comparing(LabelRequirement::key));
    return sorted.isEmpty() ? EVERYTHING : new LabelSelector(sorted, false);
  }

  /** Requires every label of the map to have its value. */
  public static LabelSelector fromMap(Map<String, String> labels) {
    List<LabelRequirement> reqs = new ArrayList<>();
    labels.forEach((k, v) -> reqs.add(requirement(k, Operator.EQUALS, List.of(v))));
    return of(reqs);
  }

  /**
   * Converts a metav1 LabelSelector ({@code matchLabels} and {@code matchExpressions} with In,
   * NotIn, Exists, DoesNotExist). A null or JSON null selector selects nothing; an empty one
   * everything.
   */
  public static LabelSelector fromJson(JsonNode selector) {
    if (selector == null || selector.isNull() || selector.isMissingNode()) {
      return NOTHING;
    }
    if (!selector.isObject()) {
      throw new IllegalArgumentException("a label selector must be an object");
    }
    List<LabelRequirement> reqs = new ArrayList<>();
    JsonNode matchLabels = selector.get("matchLabels");
    if (matchLabels != null && matchLabels.isObject()) {
      for (Map.Entry<String, JsonNode> e : matchLabels.properties()) {
        reqs.add(requirement(e.getKey(), Operator.EQUALS, List.of(e.getValue().asString())));
      }
    }
    JsonNode expressions = selector.get("matchExpressions");
    if (expressions != null && expressions.isArray()) {
      for (JsonNode expr : expressions) {
        String key = expr.path("key").asString("");
        String op = expr.path("operator").asString("");
        List<String> values = new ArrayList<>();
        for (JsonNode v : expr.path("values")) {
          values.add(v.asString());
        }
        Operator operator =
            switch (op) {
              case "In" -> Operator.IN;
              case "NotIn" -> Operator.NOT_IN;
              case "Exists" -> Operator.EXISTS;
              case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
              default ->
                  throw new IllegalArgumentException(
                      "\"" + op + "\" is not a valid label selector operator");
            };
        reqs.add(requirement(key, operator, values));
      }
    }
    return of(reqs);
  }

  /** Converts a fabric8 LabelSelector model, with the same rules as {@link #fromJson}. */
  public static LabelSelector fromModel(io.fabric8.kubernetes.api.model.LabelSelector selector) {
    if (selector == null) {
      return NOTHING;
    }
    return fromJson(dev.skiff.api.Json.MAPPER.valueToTree(selector));
  }

  /**
   * A validated requirement; throws IllegalArgumentException with Kubernetes' field errors when the
   * key, the values or their number is wrong for the operator.
   */
  public static LabelRequirement requirement(String key, Operator op, List<String> values) {
    List<String> errs = new ArrayList<>();
    for (String msg : NameValidation.isQualifiedName(key)) {
      errs.add("key: Invalid value: " + quote(key) + ": " + msg);
    }
    switch (op) {
      case IN, NOT_IN -> {
        if (values.isEmpty()) {
          errs.add(
              "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
        }
      }
      case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
        if (values.size() != 1) {
          errs.add(
              "values: Invalid value: "
                  + goStrings(values)
                  + ": exact-match compatibility requires one single value");
        }
      }
      case EXISTS, DOES_NOT_EXIST -> {
        if (!values.isEmpty()) {
          errs.add(
              "values: Invalid value: "
                  + goStrings(values)
                  + ": values set must be empty for exists and does not exist");
        }
      }
      case GREATER_THAN, LESS_THAN -> {
        if (values.size() != 1) {
          errs.add(
              "values: Invalid value: "
                  + goStrings(values)
                  + ": for 'Gt', 'Lt' operators, exactly one value is required");
        }
        for (int i = 0; i < values.size(); i++) {
          try {
            Long.parseLong(values.get(i));
          } catch (NumberFormatException e) {
            errs.add(
                "values["
                    + i
                    + "]: Invalid value: "
                    + quote(values.get(i))
                    + ": for 'Gt', 'Lt' operators, the value must be an integer");
          }
        }
      }
    }
    for (int i = 0; i < values.size(); i++) {
      for (String msg : NameValidation.isValidLabelValue(values.get(i))) {
        errs.add(
            "values[" + i + "][" + key + "]: Invalid value: " + quote(values.get(i)) + ": " + msg);
      }
    }
    if (!errs.isEmpty()) {
      throw new IllegalArgumentException(
          errs.size() == 1 ? errs.get(0) : "[" + String.join(", ", errs) + "]");
    }
    List<String> normalized =
        op == Operator.IN || op == Operator.NOT_IN ? List.copyOf(new TreeSet<>(values)) : values;
    return new LabelRequirement(key, op, normalized);
  }

  /** A string list as Go prints it with %#v, as Kubernetes' messages show it. */
  static String goStrings(List<String> values) {
    StringBuilder b = new StringBuilder("[]string{");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(quote(values.get(i)));
    }
    return b.append('}').toString();
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public boolean matches(Map<String, String> labels) {
    if (nothing) {
      return false;
    }
    Map<String, String> present = labels == null ? Map.of() : labels;
    for (LabelRequirement r : requirements) {
      if (!r.matches(present)) {
        return false;
      }
    }
    return true;
  }

  /** True when the selector has no requirement and so selects every object. */
  public boolean isEverything() {
    return !nothing && requirements.isEmpty();
  }

  /** True for the selector that selects no object (a missing selector object). */
  public boolean isNothing() {
    return nothing;
  }

  public List<LabelRequirement> requirements() {
    return requirements;
  }

  /**
   * The exact value the selector requires for a label, if one {@code =} or {@code ==} or
   * single-valued {@code in} requirement fixes it; lets callers use an index.
   */
  public java.util.Optional<String> requiresExactMatch(String label) {
    for (LabelRequirement r : requirements) {
      if (r.key().equals(label)
          && (r.operator() == Operator.EQUALS
              || r.operator() == Operator.DOUBLE_EQUALS
              || (r.operator() == Operator.IN && r.values().size() == 1))) {
        return java.util.Optional.of(r.values().get(0));
      }
    }
    return java.util.Optional.empty();
  }

  /** The canonical query string form; "" for everything. */
  @Override
  public String toString() {
    if (nothing) {
      return "<none>";
    }
    List<String> parts = new ArrayList<>();
    for (LabelRequirement r : requirements) {
      parts.add(r.toString());
    }
    return String.join(",", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelSelector other
        && other.nothing == nothing
        && other.requirements.equals(requirements);
  }

  @Override
  public int hashCode() {
    return requirements.hashCode() * 31 + (nothing ? 1 : 0);
  }
}
