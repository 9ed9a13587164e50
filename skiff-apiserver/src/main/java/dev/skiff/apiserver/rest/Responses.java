package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.table.ColumnDefinition;
import dev.skiff.api.table.TablePrinter;
import dev.skiff.api.table.TablePrinters;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.watch.CachePage;
import dev.skiff.apiserver.watch.CachedObject;
import dev.skiff.apiserver.watch.EventEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders objects, lists, Tables, Status and watch events in the negotiated format. Objects are
 * shown in the version the client asked for (a rewrite of apiVersion: the served versions of a
 * resource share one schema here, except autoscaling HPAs, which are served as stored).
 */
final class Responses {
  private static final byte[] EVENT_PREFIX = "{\"type\":\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT_MIDDLE = "\",\"object\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVENT_SUFFIX = "}\n".getBytes(StandardCharsets.UTF_8);

  private final InstantSource clock;
  private final Map<String, TablePrinter> printers = new ConcurrentHashMap<>();

  Responses(InstantSource clock) {
    this.clock = clock;
  }

  private TablePrinter printer(ResourceType type) {
    return printers.computeIfAbsent(
        type.group() + "/" + type.plural(), k -> TablePrinters.forResource(type, clock));
  }

  private static ObjectNode inVersion(ObjectNode object, ResourceType type) {
    return Conversions.convert(object, type);
  }

  static byte[] encode(ObjectNode node, OutputFormat format) {
    return format.yaml() ? Json.YAML.writeValueAsBytes(node) : Json.bytes(node);
  }

  ApiResponse object(
      int status, ObjectNode object, ResourceType type, OutputFormat format, ApiRequest request) {
    if (format.table()) {
      return table(List.of(object), type, -1, null, 0, format, request);
    }
    if (format.metadataOnly()) {
      return new ApiResponse.Full(
          status, format.mediaType(), Json.bytes(partial(object, format.metadataVersion())));
    }
    return new ApiResponse.Full(
        status, format.mediaType(), encode(inVersion(object, type), format));
  }

  ApiResponse withWarnings(ApiResponse response, List<String> warnings) {
    if (warnings.isEmpty() || !(response instanceof ApiResponse.Full full)) {
      return response;
    }
    List<String> values = new ArrayList<>();
    for (String warning : warnings) {
      values.add("299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    return new ApiResponse.Full(
        full.status(), full.contentType(), full.body(), Map.of("Warning", values));
  }

  /** The Status a delete answers when the object is gone and the kind returns no object. */
  ApiResponse success(ResourceType type, ObjectNode deleted, OutputFormat format) {
    ObjectNode status = Json.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    ObjectNode details = status.putObject("details");
    details.put("name", Meta.name(deleted));
    if (!type.group().isEmpty()) {
      details.put("group", type.group());
    }
    details.put("kind", type.plural());
    details.put("uid", Meta.uid(deleted));
    return new ApiResponse.Full(200, format.mediaType(), encode(status, format));
  }

  ApiResponse list(
      List<ObjectNode> items,
      ResourceType type,
      long revision,
      String next,
      long remaining,
      OutputFormat format) {
    ObjectNode list = listHeader(type, revision, next, remaining);
    ArrayNode array = list.putArray("items");
    if (format.metadataOnly()) {
      list.put("kind", "PartialObjectMetadataList");
      list.put("apiVersion", "meta.k8s.io/" + format.metadataVersion());
      items.forEach(item -> array.add(partial(item, format.metadataVersion())));
      return new ApiResponse.Full(200, format.mediaType(), Json.bytes(list));
    }
    items.forEach(item -> array.add(inVersion(item, type)));
    return new ApiResponse.Full(200, format.mediaType(), encode(list, format));
  }

  private static ObjectNode listHeader(
      ResourceType type, long revision, String next, long remaining) {
    ObjectNode list = Json.object();
    list.put("kind", type.kind() + "List");
    list.put("apiVersion", type.apiVersion());
    ObjectNode metadata = list.putObject("metadata");
    metadata.put("resourceVersion", Long.toString(revision));
    if (next != null) {
      metadata.put("continue", next);
      metadata.put("remainingItemCount", remaining);
    }
    return list;
  }

  /** A list from cached objects: JSON is assembled from the cached bytes without re-encoding. */
  ApiResponse cachedList(CachePage page, ResourceType type, String next, OutputFormat format) {
    boolean sameVersion =
        page.items().stream()
            .allMatch(o -> type.apiVersion().equals(Meta.text(o.object(), "apiVersion")));
    if (format.yaml() || format.metadataOnly() || !sameVersion) {
      return list(
          page.items().stream().map(CachedObject::object).toList(),
          type,
          page.revision(),
          next,
          page.remaining(),
          format);
    }
    ObjectNode header = listHeader(type, page.revision(), next, page.remaining());
    header.putArray("items");
    byte[] head = Json.bytes(header);
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + page.items().size() * 512);
    // the header ends in `"items":[]}`: write it without the closing `]}`, then the items
    out.write(head, 0, head.length - 2);
    boolean first = true;
    for (CachedObject item : page.items()) {
      if (!first) {
        out.write(',');
      }
      first = false;
      out.writeBytes(item.json());
    }
    out.write(']');
    out.write('}');
    return new ApiResponse.Full(200, "application/json", out.toByteArray());
  }

  // ---- tables

  ApiResponse table(
      List<?> objects,
      ResourceType type,
      long revision,
      String next,
      long remaining,
      OutputFormat format,
      ApiRequest request) {
    String include = request.param("includeObject");
    TablePrinter printer = printer(type);
    ObjectNode table = tableHeader(printer, format, true);
    if (revision >= 0) {
      ObjectNode metadata = (ObjectNode) table.get("metadata");
      metadata.put("resourceVersion", Long.toString(revision));
      if (next != null) {
        metadata.put("continue", next);
        metadata.put("remainingItemCount", remaining);
      }
    }
    ArrayNode rows = table.putArray("rows");
    for (Object o : objects) {
      ObjectNode object = o instanceof CachedObject c ? c.object() : (ObjectNode) o;
      rows.add(row(printer, inVersion(object, type), include));
    }
    return new ApiResponse.Full(200, "application/json", Json.bytes(table));
  }

  private static ObjectNode tableHeader(
      TablePrinter printer, OutputFormat format, boolean columns) {
    ObjectNode table = Json.object();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/" + format.tableVersion());
    table.putObject("metadata");
    ArrayNode definitions = table.putArray("columnDefinitions");
    if (columns) {
      for (ColumnDefinition column : printer.columns()) {
        ObjectNode c = definitions.addObject();
        c.put("name", column.name());
        c.put("type", column.type());
        c.put("format", column.format());
        c.put("description", column.description());
        c.put("priority", column.priority());
      }
    }
    return table;
  }

  private static ObjectNode row(TablePrinter printer, ObjectNode object, String include) {
    ObjectNode row = Json.object();
    ArrayNode cells = row.putArray("cells");
    for (Object cell : printer.cells(object)) {
      cells.addPOJO(cell);
    }
    if ("Object".equals(include)) {
      row.set("object", object);
    } else if (!"None".equals(include)) {
      ObjectNode partial = row.putObject("object");
      partial.put("kind", "PartialObjectMetadata");
      partial.put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", object.path("metadata"));
    }
    return row;
  }

  // ---- watch events

  /** The PartialObjectMetadata of an object: its kind, apiVersion and metadata only. */
  static ObjectNode partial(ObjectNode object, String version) {
    ObjectNode partial = Json.object();
    partial.put("kind", "PartialObjectMetadata");
    partial.put("apiVersion", "meta.k8s.io/" + version);
    partial.set("metadata", object.path("metadata"));
    return partial;
  }

  EventEncoder eventEncoder(ResourceType type, OutputFormat format, ApiRequest request) {
    if (format.metadataOnly()) {
      String version = format.metadataVersion();
      return new EventEncoder() {
        @Override
        public String id() {
          return "metadata " + version;
        }

        @Override
        public byte[] encode(String eventType, CachedObject object, boolean first) {
          if (eventType.equals("BOOKMARK")) {
            return event(eventType, object.json());
          }
          return event(eventType, Json.bytes(partial(object.object(), version)));
        }
      };
    }
    if (!format.table()) {
      String apiVersion = type.apiVersion();
      return new EventEncoder() {
        @Override
        public String id() {
          return "json " + apiVersion;
        }

        @Override
        public byte[] encode(String eventType, CachedObject object, boolean first) {
          byte[] json =
              apiVersion.equals(Meta.text(object.object(), "apiVersion"))
                  ? object.json()
                  : Json.bytes(inVersion(object.object(), type));
          return event(eventType, json);
        }
      };
    }
    String include = request.param("includeObject");
    TablePrinter printer = printer(type);
    return new EventEncoder() {
      @Override
      public boolean sameFirstEvent() {
        return false;
      }

      @Override
      public String id() {
        return "table " + format.tableVersion() + " " + type.apiVersion() + " " + include;
      }

      @Override
      public byte[] encode(String eventType, CachedObject object, boolean first) {
        if (eventType.equals("BOOKMARK")) {
          return event(eventType, object.json());
        }
        ObjectNode table = tableHeader(printer, format, first);
        table.putArray("rows").add(row(printer, inVersion(object.object(), type), include));
        return event(eventType, Json.bytes(table));
      }
    };
  }

  static byte[] event(String type, byte[] object) {
    byte[] typeBytes = type.getBytes(StandardCharsets.UTF_8);
    byte[] out =
        new byte
            [EVENT_PREFIX.length
                + typeBytes.length
                + EVENT_MIDDLE.length
                + object.length
                + EVENT_SUFFIX.length];
    int at = 0;
    for (byte[] part : List.of(EVENT_PREFIX, typeBytes, EVENT_MIDDLE, object, EVENT_SUFFIX)) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  byte[] errorEvent(ApiException error) {
    return event("ERROR", Json.bytes(error.toStatus()));
  }
}
