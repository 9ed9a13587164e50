package dev.skiff.api.table;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/** Reading fields of an object tree the way printers need: absent means zero value. */
final class Fields {
  private Fields() {}

  static JsonNode at(JsonNode node, String... path) {
    JsonNode current = node;
    for (String part : path) {
      current = current.path(part);
    }
    return current;
  }

  static String str(JsonNode node, String... path) {
    JsonNode value = at(node, path);
    return value.isValueNode() ? value.asString("") : "";
  }

  static boolean has(JsonNode node, String... path) {
    JsonNode value = at(node, path);
    return !value.isMissingNode() && !value.isNull();
  }

  static long lng(JsonNode node, String... path) {
    return at(node, path).asLong(0);
  }

  static long lng(JsonNode node, long absent, String... path) {
    return has(node, path) ? at(node, path).asLong(absent) : absent;
  }

  static boolean bool(JsonNode node, String... path) {
    return at(node, path).asBoolean(false);
  }

  static List<JsonNode> list(JsonNode node, String... path) {
    List<JsonNode> items = new ArrayList<>();
    JsonNode value = at(node, path);
    if (value.isArray()) {
      value.forEach(items::add);
    }
    return items;
  }

  static int size(JsonNode node, String... path) {
    JsonNode value = at(node, path);
    return value.isContainer() ? value.size() : 0;
  }

  /** A string map field, sorted by key. */
  static Map<String, String> map(JsonNode node, String... path) {
    Map<String, String> result = new TreeMap<>();
    JsonNode value = at(node, path);
    if (value.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        result.put(e.getKey(), e.getValue().asString(""));
      }
    }
    return result;
  }

  static String orDefault(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }
}
