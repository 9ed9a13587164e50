package dev.skiff.apiserver.registry;

import dev.skiff.api.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reads and writes the metadata of an object tree. */
public final class Meta {
  private Meta() {}

  /** The metadata object, created if absent or not an object. */
  public static ObjectNode metadata(ObjectNode object) {
    JsonNode metadata = object.get("metadata");
    if (metadata instanceof ObjectNode m) {
      return m;
    }
    return object.putObject("metadata");
  }

  public static String name(ObjectNode object) {
    return text(object.path("metadata"), "name");
  }

  public static String namespace(ObjectNode object) {
    return text(object.path("metadata"), "namespace");
  }

  public static String uid(ObjectNode object) {
    return text(object.path("metadata"), "uid");
  }

  public static String resourceVersion(ObjectNode object) {
    return text(object.path("metadata"), "resourceVersion");
  }

  public static boolean deleting(ObjectNode object) {
    return object.path("metadata").hasNonNull("deletionTimestamp");
  }

  /** The string at {@code field} of {@code node}, "" when absent or not a string. */
  public static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isString() ? value.asString() : "";
  }

  /** The string at a dotted path such as "spec.nodeName", "" when absent. */
  public static String textAt(JsonNode node, String dottedPath) {
    JsonNode current = node;
    for (String part : dottedPath.split("\\.")) {
      current = current.path(part);
    }
    if (current.isString()) {
      return current.asString();
    }
    if (current.isNumber() || current.isBoolean()) {
      return current.asString();
    }
    return "";
  }

  /** A string map such as metadata.labels, in order; empty when absent. */
  public static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node instanceof ObjectNode map) {
      for (Map.Entry<String, JsonNode> e : map.properties()) {
        out.put(e.getKey(), e.getValue().isString() ? e.getValue().asString() : "");
      }
    }
    return out;
  }

  public static Map<String, String> labels(ObjectNode object) {
    return stringMap(object.path("metadata").path("labels"));
  }

  public static List<String> finalizers(ObjectNode object) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : object.path("metadata").path("finalizers")) {
      out.add(f.asString(""));
    }
    return out;
  }

  public static void setFinalizers(ObjectNode object, List<String> finalizers) {
    ObjectNode metadata = metadata(object);
    if (finalizers.isEmpty()) {
      metadata.remove("finalizers");
      return;
    }
    ArrayNode array = metadata.putArray("finalizers");
    finalizers.forEach(array::add);
  }

  /** The object at {@code field} of {@code parent}, created if absent. */
  public static ObjectNode child(ObjectNode parent, String field) {
    JsonNode node = parent.get(field);
    if (node instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(field);
  }

  /** Sets {@code field} to {@code value} unless it holds a non-null value already. */
  public static void defaultText(ObjectNode parent, String field, String value) {
    if (!parent.hasNonNull(field) || parent.get(field).asString("").isEmpty()) {
      parent.put(field, value);
    }
  }

  public static void defaultInt(ObjectNode parent, String field, long value) {
    if (!parent.hasNonNull(field)) {
      parent.put(field, value);
    }
  }

  public static void defaultBool(ObjectNode parent, String field, boolean value) {
    if (!parent.hasNonNull(field)) {
      parent.put(field, value);
    }
  }

  /** A deep copy. */
  public static ObjectNode copy(ObjectNode object) {
    return object.deepCopy();
  }

  /** The object's content without metadata and status: what generation tracks. */
  public static ObjectNode specPart(ObjectNode object) {
    ObjectNode copy = Json.object();
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      String field = e.getKey();
      if (!field.equals("metadata")
          && !field.equals("status")
          && !field.equals("kind")
          && !field.equals("apiVersion")) {
        copy.set(field, e.getValue());
      }
    }
    return copy;
  }
}
