package dev.skiff.cli.config;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Writes JSON as Go's encoding/json does: indented with four spaces (kubectl's {@code -o json}) or
 * compact with sorted keys (jsonpath results), with Go's HTML-safe string escaping.
 */
final class GoJson {
  private GoJson() {}

  /** {@code json.MarshalIndent(v, "", " ")}: objects keep the order of the tree. */
  static String indented(JsonNode node) {
    StringBuilder out = new StringBuilder();
    indented(node, 0, out);
    return out.toString();
  }

  /** {@code json.Marshal} of a generic map: keys sorted, no spaces. */
  static String compact(JsonNode node) {
    StringBuilder out = new StringBuilder();
    compact(node, out);
    return out.toString();
  }

  private static void indented(JsonNode node, int depth, StringBuilder out) {
    if (node.isObject() && !node.isEmpty()) {
      out.append("{\n");
      boolean first = true;
      for (var property : node.properties()) {
        if (!first) {
          out.append(",\n");
        }
        first = false;
        out.append("    ".repeat(depth + 1)).append(string(property.getKey())).append(": ");
        indented(property.getValue(), depth + 1, out);
      }
      out.append('\n').append("    ".repeat(depth)).append('}');
    } else if (node.isArray() && !node.isEmpty()) {
      out.append("[\n");
      boolean first = true;
      for (JsonNode item : node) {
        if (!first) {
          out.append(",\n");
        }
        first = false;
        out.append("    ".repeat(depth + 1));
        indented(item, depth + 1, out);
      }
      out.append('\n').append("    ".repeat(depth)).append(']');
    } else {
      scalar(node, out);
    }
  }

  private static void compact(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      List<String> keys = new ArrayList<>(node.propertyNames());
      keys.sort(null);
      out.append('{');
      boolean first = true;
      for (String key : keys) {
        if (!first) {
          out.append(',');
        }
        first = false;
        out.append(string(key)).append(':');
        compact(node.get(key), out);
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      boolean first = true;
      for (JsonNode item : node) {
        if (!first) {
          out.append(',');
        }
        first = false;
        compact(item, out);
      }
      out.append(']');
    } else {
      scalar(node, out);
    }
  }

  private static void scalar(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      out.append("{}");
    } else if (node.isArray()) {
      out.append("[]");
    } else if (node.isNull() || node.isMissingNode()) {
      out.append("null");
    } else if (node.isBoolean()) {
      out.append(node.booleanValue());
    } else if (node.isNumber()) {
      out.append(number(node));
    } else {
      out.append(string(node.asString()));
    }
  }

  /** A number as Go prints a float64 decoded from JSON (integers without a fraction). */
  static String number(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.bigIntegerValue().toString();
    }
    BigDecimal value = node.decimalValue().stripTrailingZeros();
    if (value.scale() <= 0) {
      return value.toBigInteger().toString();
    }
    return value.toPlainString();
  }

  /** A quoted string with Go's escapes (HTML characters and line separators as \\u sequences). */
  static String string(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '<', '>', '&', '\u2028', '\u2029' -> out.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
