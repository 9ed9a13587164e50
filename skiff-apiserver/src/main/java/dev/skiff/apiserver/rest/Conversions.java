package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.apiserver.registry.Meta;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Converts objects between the served versions of a resource. Most versions share one schema and
 * differ only in apiVersion. Two conversions change fields: events.k8s.io/v1 events, stored as core
 * v1 events, rename their fields; autoscaling/v1 HorizontalPodAutoscalers, stored as
 * autoscaling/v2, carry only the CPU utilization target (other v2 metrics are not shown in v1).
 */
final class Conversions {
  /** events.k8s.io/v1 field to core v1 field. */
  private static final Map<String, String> EVENT_FIELDS =
      Map.of(
          "regarding", "involvedObject",
          "note", "message",
          "deprecatedSource", "source",
          "deprecatedFirstTimestamp", "firstTimestamp",
          "deprecatedLastTimestamp", "lastTimestamp",
          "deprecatedCount", "count",
          "reportingController", "reportingComponent");

  private Conversions() {}

  /** {@code object} in the version of {@code target}; the same tree when nothing changes. */
  static ObjectNode convert(ObjectNode object, ResourceType target) {
    String from = Meta.text(object, "apiVersion");
    String to = target.apiVersion();
    if (from.equals(to)) {
      return object;
    }
    ObjectNode copy = object.deepCopy();
    copy.put("apiVersion", to);
    if (target.kind().equals("Event")) {
      if (to.equals("events.k8s.io/v1")) {
        EVENT_FIELDS.forEach((newer, older) -> rename(copy, older, newer));
      } else if (from.equals("events.k8s.io/v1")) {
        EVENT_FIELDS.forEach((newer, older) -> rename(copy, newer, older));
      }
    } else if (target.kind().equals("HorizontalPodAutoscaler")) {
      if (to.equals("autoscaling/v1")) {
        hpaToV1(copy);
      } else if (from.equals("autoscaling/v1")) {
        hpaFromV1(copy);
      }
    }
    return copy;
  }

  private static void rename(ObjectNode object, String from, String to) {
    JsonNode value = object.remove(from);
    if (value != null) {
      object.set(to, value);
    }
  }

  private static void hpaToV1(ObjectNode hpa) {
    ObjectNode spec = Meta.child(hpa, "spec");
    JsonNode metrics = spec.remove("metrics");
    spec.remove("behavior");
    for (JsonNode metric : metrics == null ? Json.MAPPER.createArrayNode() : metrics) {
      JsonNode target = metric.path("resource").path("target");
      if (metric.path("type").asString("").equals("Resource")
          && metric.path("resource").path("name").asString("").equals("cpu")
          && target.has("averageUtilization")) {
        spec.put("targetCPUUtilizationPercentage", target.get("averageUtilization").asInt());
      }
    }
    if (hpa.get("status") instanceof ObjectNode status) {
      JsonNode current = status.remove("currentMetrics");
      status.remove("conditions");
      for (JsonNode metric : current == null ? Json.MAPPER.createArrayNode() : current) {
        JsonNode value = metric.path("resource").path("current");
        if (metric.path("resource").path("name").asString("").equals("cpu")
            && value.has("averageUtilization")) {
          status.put("currentCPUUtilizationPercentage", value.get("averageUtilization").asInt());
        }
      }
    }
  }

  private static void hpaFromV1(ObjectNode hpa) {
    ObjectNode spec = Meta.child(hpa, "spec");
    JsonNode cpu = spec.remove("targetCPUUtilizationPercentage");
    if (cpu != null) {
      ArrayNode metrics = spec.putArray("metrics");
      ObjectNode resource = metrics.addObject().put("type", "Resource").putObject("resource");
      resource.put("name", "cpu");
      resource
          .putObject("target")
          .put("type", "Utilization")
          .put("averageUtilization", cpu.asInt());
    }
    if (hpa.get("status") instanceof ObjectNode status) {
      JsonNode current = status.remove("currentCPUUtilizationPercentage");
      if (current != null) {
        ObjectNode resource =
            status
                .putArray("currentMetrics")
                .addObject()
                .put("type", "Resource")
                .putObject("resource");
        resource.put("name", "cpu");
        resource.putObject("current").put("averageUtilization", current.asInt());
      }
    }
  }
}
