package dev.skiff.apiserver.admission;

import dev.skiff.api.quantity.Quantity;
import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.authz.Loopback;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' LimitRanger for containers of new pods: the {@code Container} limits of the
 * namespace's LimitRanges fill missing requests ({@code defaultRequest}) and limits ({@code
 * default}), recorded in the {@code kubernetes.io/limit-ranger} annotation; then {@code min} and
 * {@code max} are enforced on requests and limits.
 */
public final class LimitRanger implements AdmissionPlugin {
  static final String ANNOTATION = "kubernetes.io/limit-ranger";

  private final Loopback api;

  public LimitRanger(Loopback api) {
    this.api = api;
  }

  @Override
  public String name() {
    return "LimitRanger";
  }

  private List<JsonNode> containerLimits(String namespace) {
    List<JsonNode> limits = new ArrayList<>();
    api.get("/api/v1/namespaces/" + namespace + "/limitranges")
        .ifPresent(
            list -> {
              for (JsonNode range : list.path("items")) {
                for (JsonNode limit : range.path("spec").path("limits")) {
                  if (limit.path("type").asString("").equals("Container")) {
                    limits.add(limit);
                  }
                }
              }
            });
    return limits;
  }

  private static boolean applies(AdmissionRequest request) {
    return request.isCore("pods")
        && request.operation() == AdmissionRequest.Operation.CREATE
        && request.subresource().isEmpty();
  }

  @Override
  public void mutate(AdmissionRequest request) {
    if (!applies(request)) {
      return;
    }
    List<JsonNode> limits = containerLimits(request.namespace());
    if (limits.isEmpty()) {
      return;
    }
    List<String> notes = new ArrayList<>();
    for (JsonNode container : request.object().path("spec").path("containers")) {
      ObjectNode resources =
          container.get("resources") instanceof ObjectNode r
              ? r
              : ((ObjectNode) container).putObject("resources");
      Set<String> requested = new TreeSet<>();
      Set<String> limited = new TreeSet<>();
      for (JsonNode limit : limits) {
        fill(resources, "requests", limit.path("defaultRequest"), requested);
        fill(resources, "limits", limit.path("default"), limited);
      }
      String name = container.path("name").asString("");
      if (!requested.isEmpty()) {
        notes.add(String.join(", ", requested) + " request for container " + name);
      }
      if (!limited.isEmpty()) {
        notes.add(String.join(", ", limited) + " limit for container " + name);
      }
    }
    if (!notes.isEmpty()) {
      ObjectNode metadata = (ObjectNode) request.object().path("metadata");
      ObjectNode annotations =
          metadata.get("annotations") instanceof ObjectNode a
              ? a
              : metadata.putObject("annotations");
      annotations.put(ANNOTATION, "LimitRanger plugin set: " + String.join("; ", notes));
    }
  }

  private static void fill(ObjectNode resources, String field, JsonNode defaults, Set<String> set) {
    for (Map.Entry<String, JsonNode> entry : defaults.properties()) {
      ObjectNode values =
          resources.get(field) instanceof ObjectNode v ? v : resources.putObject(field);
      if (!values.has(entry.getKey())) {
        values.set(entry.getKey(), entry.getValue().deepCopy());
        set.add(entry.getKey());
      }
    }
  }

  @Override
  public void validate(AdmissionRequest request) {
    if (!applies(request)) {
      return;
    }
    List<JsonNode> limits = containerLimits(request.namespace());
    if (limits.isEmpty()) {
      return;
    }
    List<String> errors = new ArrayList<>();
    for (JsonNode container : request.object().path("spec").path("containers")) {
      JsonNode resources = container.path("resources");
      for (JsonNode limit : limits) {
        for (Map.Entry<String, JsonNode> min : limit.path("min").properties()) {
          Quantity bound = Quantity.fromJson(min.getValue());
          check(
              errors,
              "minimum",
              min.getKey(),
              bound,
              resources.path("requests").path(min.getKey()),
              "request",
              true);
          check(
              errors,
              "minimum",
              min.getKey(),
              bound,
              resources.path("limits").path(min.getKey()),
              "limit",
              true);
        }
        for (Map.Entry<String, JsonNode> max : limit.path("max").properties()) {
          Quantity bound = Quantity.fromJson(max.getValue());
          JsonNode value = resources.path("limits").path(max.getKey());
          if (value.isMissingNode()) {
            errors.add(
                "maximum "
                    + max.getKey()
                    + " usage per Container is "
                    + bound
                    + ".  No limit is specified");
          } else {
            check(errors, "maximum", max.getKey(), bound, value, "limit", false);
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      String message = errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]";
      throw Forbidden.error("", "pods", request.name(), message);
    }
  }

  private static void check(
      List<String> errors,
      String kind,
      String resource,
      Quantity bound,
      JsonNode value,
      String what,
      boolean minimum) {
    if (value.isMissingNode() || value.isNull()) {
      return;
    }
    Quantity actual = Quantity.fromJson(value);
    int comparison = actual.compareTo(bound);
    if (minimum ? comparison < 0 : comparison > 0) {
      errors.add(
          kind
              + " "
              + resource
              + " usage per Container is "
              + bound
              + ", but "
              + what
              + " is "
              + actual);
    }
  }
}
