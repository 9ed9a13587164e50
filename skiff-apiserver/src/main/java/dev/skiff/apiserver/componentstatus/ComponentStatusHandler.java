package dev.skiff.apiserver.componentstatus;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.api.table.ColumnDefinition;
import dev.skiff.api.table.TablePrinter;
import dev.skiff.api.table.TablePrinters;
import dev.skiff.apiserver.discovery.AcceptNegotiator;
import dev.skiff.apiserver.discovery.MediaTypeChoice;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves {@code GET /api/v1/componentstatuses} and {@code /api/v1/componentstatuses/{name}}: one
 * ComponentStatus per named health probe, probed on every request, with a Healthy condition that is
 * True or False. Answers as a meta.k8s.io Table when the client asks for one (kubectl get).
 */
public final class ComponentStatusHandler implements ApiHandler {
  private static final String PREFIX = "/api/v1/componentstatuses";
  private static final Map<String, List<String>> DEPRECATION =
      Map.of("Warning", List.of("299 - \"v1 ComponentStatus is deprecated in v1.19+\""));

  private final Map<String, Supplier<HealthResult>> probes;
  private final TablePrinter printer;
  private final AcceptNegotiator negotiator =
      new AcceptNegotiator(
          List.of(AcceptNegotiator.JSON, AcceptNegotiator.YAML),
          choice ->
              choice.mediaType().equals(AcceptNegotiator.JSON)
                  && "meta.k8s.io".equals(choice.group())
                  && (choice.version().equals("v1") || choice.version().equals("v1beta1"))
                  && "Table".equals(choice.as()));

  /**
   * @param probes component name (e.g. "scheduler", "controller-manager", "etcd-0") to its probe,
   *     in the order they are listed
   */
  public ComponentStatusHandler(Map<String, Supplier<HealthResult>> probes) {
    this(probes, InstantSource.system());
  }

  ComponentStatusHandler(Map<String, Supplier<HealthResult>> probes, InstantSource clock) {
    this.probes = new LinkedHashMap<>(probes);
    ResourceType type = ResourceCatalog.builtIn().find("", "v1", "componentstatuses").orElseThrow();
    this.printer = TablePrinters.forResource(type, clock);
  }

  /** True for the paths this handler serves. */
  public static boolean handles(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    String rest = request.path().substring(PREFIX.length());
    if (rest.startsWith("/")) {
      rest = rest.substring(1);
    }
    if (!request.method().equals("GET") || isWatch(request) || rest.contains("/")) {
      throw ApiException.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    MediaTypeChoice choice = negotiator.negotiate(request.header("accept"));
    List<ObjectNode> items;
    if (rest.isEmpty()) {
      items = probes.keySet().stream().map(this::status).toList();
    } else {
      if (!probes.containsKey(rest)) {
        throw ApiException.notFound("", "componentstatuses", rest);
      }
      items = List.of(status(rest));
    }
    ObjectNode body;
    if (choice.converted()) {
      body = table(items, choice.version(), request.param("includeObject"));
    } else if (rest.isEmpty()) {
      body = Json.object();
      body.put("kind", "ComponentStatusList");
      body.put("apiVersion", "v1");
      body.putObject("metadata");
      ArrayNode list = body.putArray("items");
      items.forEach(list::add);
    } else {
      body = items.get(0);
    }
    byte[] bytes =
        choice.mediaType().equals(AcceptNegotiator.YAML)
            ? Json.YAML.writeValueAsBytes(body)
            : Json.bytes(body);
    return new ApiResponse.Full(200, choice.contentType(), bytes, DEPRECATION);
  }

  private static boolean isWatch(ApiRequest request) {
    String watch = request.param("watch");
    return watch != null && (watch.equals("true") || watch.equals("1"));
  }

  private ObjectNode status(String name) {
    HealthResult result;
    try {
      result = probes.get(name).get();
    } catch (RuntimeException e) {
      result = HealthResult.unhealthy(String.valueOf(e.getMessage()));
    }
    ObjectNode status = Json.object();
    status.put("kind", "ComponentStatus");
    status.put("apiVersion", "v1");
    status.putObject("metadata").put("name", name);
    ObjectNode condition = status.putArray("conditions").addObject();
    condition.put("type", "Healthy");
    condition.put("status", result.healthy() ? "True" : "False");
    if (!result.message().isEmpty()) {
      condition.put("message", result.message());
    }
    if (!result.error().isEmpty()) {
      condition.put("error", result.error());
    }
    return status;
  }

  private ObjectNode table(List<ObjectNode> items, String version, String includeObject) {
    ObjectNode table = Json.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/" + version);
    table.putObject("metadata").put("resourceVersion", "");
    ArrayNode columns = table.putArray("columnDefinitions");
    for (ColumnDefinition column : printer.columns()) {
      ObjectNode c = columns.addObject();
      c.put("name", column.name());
      c.put("type", column.type());
      c.put("format", column.format());
      c.put("description", column.description());
      c.put("priority", column.priority());
    }
    ArrayNode rows = table.putArray("rows");
    for (ObjectNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      for (Object cell : printer.cells(item)) {
        cells.add(Json.MAPPER.valueToTree(cell));
      }
      String mode = includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject;
      switch (mode) {
        case "None" -> {}
        case "Object" -> row.set("object", item);
        case "Metadata" -> {
          ObjectNode partial = row.putObject("object");
          partial.put("kind", "PartialObjectMetadata");
          partial.put("apiVersion", "meta.k8s.io/" + version);
          partial.set("metadata", item.get("metadata").deepCopy());
        }
        default ->
            throw ApiException.badRequest(
                "includeObject: Unsupported value: \""
                    + includeObject
                    + "\": supported values: \"Metadata\", \"None\", \"Object\"");
      }
    }
    return table;
  }
}
