package dev.skiff.api.table;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** The textual forms kubectl's printers use for labels, selectors, containers and lists. */
final class Formats {
  private Formats() {}

  /** {@code a=1,b=2} sorted by key, or "&lt;none&gt;". */
  static String labels(Map<String, String> labels) {
    if (labels.isEmpty()) {
      return "<none>";
    }
    return labels.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  /** A meta/v1 LabelSelector as a selector string, requirements sorted by key; "" when empty. */
  static String selector(JsonNode selector) {
    record Requirement(String key, String text) {}
    List<Requirement> requirements = new ArrayList<>();
    Fields.map(selector, "matchLabels")
        .forEach((k, v) -> requirements.add(new Requirement(k, k + "=" + v)));
    for (JsonNode expression : Fields.list(selector, "matchExpressions")) {
      String key = Fields.str(expression, "key");
      List<String> values =
          Fields.list(expression, "values").stream().map(v -> v.asString("")).sorted().toList();
      String text =
          switch (Fields.str(expression, "operator")) {
            case "In" -> key + " in (" + String.join(",", values) + ")";
            case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
            case "Exists" -> key;
            case "DoesNotExist" -> "!" + key;
            default -> key + " " + Fields.str(expression, "operator");
          };
      requirements.add(new Requirement(key, text));
    }
    requirements.sort(Comparator.comparing(Requirement::key));
    return requirements.stream().map(Requirement::text).collect(Collectors.joining(","));
  }

  /** {@link #selector} or "&lt;none&gt;" when empty. */
  static String selectorOrNone(JsonNode selector) {
    String text = selector(selector);
    return text.isEmpty() ? "<none>" : text;
  }

  /** The container names and images of a pod spec, each comma-separated. */
  static String[] containers(JsonNode podSpec) {
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (JsonNode container : Fields.list(podSpec, "containers")) {
      names.add(Fields.str(container, "name"));
      images.add(Fields.str(container, "image"));
    }
    return new String[] {String.join(",", names), String.join(",", images)};
  }

  /** At most {@code max} items joined by ",", then " + N more..."; "&lt;unset&gt;" when empty. */
  static String listWithMore(List<String> items, int max) {
    if (items.size() > max) {
      return String.join(",", items.subList(0, max)) + " + " + (items.size() - max) + " more...";
    }
    return items.isEmpty() ? "<unset>" : String.join(",", items);
  }

  /** PersistentVolume access modes in kubectl's short form, e.g. "RWO,ROX". */
  static String accessModes(List<JsonNode> modes) {
    List<String> given = modes.stream().map(m -> m.asString("")).toList();
    List<String> out = new ArrayList<>();
    if (given.contains("ReadWriteOnce")) {
      out.add("RWO");
    }
    if (given.contains("ReadOnlyMany")) {
      out.add("ROX");
    }
    if (given.contains("ReadWriteMany")) {
      out.add("RWX");
    }
    if (given.contains("ReadWriteOncePod")) {
      out.add("RWOP");
    }
    return String.join(",", out);
  }

  /** An IntOrString field as text (a number or a string such as "25%"). */
  static String intOrString(JsonNode value) {
    return value.isNumber() ? Long.toString(value.asLong()) : value.asString("");
  }

  static String bool(boolean value) {
    return value ? "True" : "False";
  }
}
