package dev.skiff.cli.config;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Go's {@code %#v} and {@code %q} renderings of decoded JSON, as kubectl's error texts show. */
final class GoSyntax {
  private GoSyntax() {}

  static String of(JsonNode node) {
    if (node == null || node.isNull()) {
      return "interface {}(nil)";
    }
    if (node.isObject()) {
      List<String> keys = new ArrayList<>(node.propertyNames());
      keys.sort(null);
      List<String> parts = new ArrayList<>();
      for (String key : keys) {
        parts.add(quote(key) + ":" + of(node.get(key)));
      }
      return "map[string]interface {}{" + String.join(", ", parts) + "}";
    }
    if (node.isArray()) {
      List<String> parts = new ArrayList<>();
      node.forEach(item -> parts.add(of(item)));
      return "[]interface {}{" + String.join(", ", parts) + "}";
    }
    if (node.isBoolean()) {
      return Boolean.toString(node.booleanValue());
    }
    if (node.isNumber()) {
      return GoJson.number(node);
    }
    return quote(node.asString());
  }

  /** A double-quoted Go string literal. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    text.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                  if (c < 0x20 || c == 0x7F) {
                    out.append(String.format("\\x%02x", c));
                  } else {
                    out.appendCodePoint(c);
                  }
                }
              }
            });
    return out.append('"').toString();
  }
}
