package dev.skiff.api.table;

import static dev.skiff.api.table.Fields.has;
import static dev.skiff.api.table.Fields.list;
import static dev.skiff.api.table.Fields.str;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The TARGETS cell of a HorizontalPodAutoscaler: "current/target" per metric, at most two, e.g.
 * "cpu: 40%/80%, memory: &lt;unknown&gt;/1Gi + 1 more...". Reads autoscaling/v2 metrics, or the
 * single CPU target of autoscaling/v1.
 */
final class HpaTargets {
  private static final int MAX = 2;

  private HpaTargets() {}

  static String format(JsonNode hpa) {
    JsonNode spec = hpa.path("spec");
    if (!has(spec, "metrics") && has(spec, "targetCPUUtilizationPercentage")) {
      String current =
          has(hpa, "status", "currentCPUUtilizationPercentage")
              ? Fields.lng(hpa, "status", "currentCPUUtilizationPercentage") + "%"
              : "<unknown>";
      return "cpu: " + current + "/" + Fields.lng(spec, "targetCPUUtilizationPercentage") + "%";
    }
    List<JsonNode> specs = list(spec, "metrics");
    if (specs.isEmpty()) {
      return "<none>";
    }
    List<JsonNode> statuses = list(hpa, "status", "currentMetrics");
    List<String> items = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      JsonNode metric = specs.get(i);
      JsonNode status = i < statuses.size() ? statuses.get(i) : null;
      items.add(
          switch (str(metric, "type")) {
            case "External" -> valueOrAverage(metric.path("external"), status, "external");
            case "Object" -> valueOrAverage(metric.path("object"), status, "object");
            case "Pods" ->
                current(status, "pods", "averageValue")
                    + "/"
                    + str(metric, "pods", "target", "averageValue");
            case "Resource" -> resource(metric.path("resource"), status, "resource");
            case "ContainerResource" ->
                resource(metric.path("containerResource"), status, "containerResource");
            default -> "<unknown type>";
          });
    }
    if (items.size() > MAX) {
      return String.join(", ", items.subList(0, MAX)) + " + " + (items.size() - MAX) + " more...";
    }
    return String.join(", ", items);
  }

  private static String valueOrAverage(JsonNode source, JsonNode status, String field) {
    if (has(source, "target", "averageValue")) {
      return current(status, field, "averageValue")
          + "/"
          + str(source, "target", "averageValue")
          + " (avg)";
    }
    return current(status, field, "value") + "/" + str(source, "target", "value");
  }

  private static String resource(JsonNode source, JsonNode status, String field) {
    String resourceName = str(source, "name");
    if (has(source, "target", "averageValue")) {
      return resourceName
          + ": "
          + current(status, field, "averageValue")
          + "/"
          + str(source, "target", "averageValue");
    }
    String current =
        status != null && has(status, field, "current", "averageUtilization")
            ? Fields.lng(status, field, "current", "averageUtilization") + "%"
            : "<unknown>";
    String target =
        has(source, "target", "averageUtilization")
            ? Fields.lng(source, "target", "averageUtilization") + "%"
            : "<auto>";
    return resourceName + ": " + current + "/" + target;
  }

  private static String current(JsonNode status, String field, String value) {
    if (status == null || !has(status, field, "current", value)) {
      return "<unknown>";
    }
    return str(status, field, "current", value);
  }
}
