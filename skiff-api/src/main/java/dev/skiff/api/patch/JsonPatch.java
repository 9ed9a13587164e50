package dev.skiff.api.patch;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON Patch (RFC 6902): the operations add, remove, replace, move, copy and test on JSON Pointer
 * paths (RFC 6901, with {@code ~0} and {@code ~1} escapes and {@code -} for the end of an array). A
 * malformed patch fails with status 400, an operation that does not apply with 422.
 */
public final class JsonPatch {
  private JsonPatch() {}

  /** The patched document; neither argument is modified. Operations apply in order, all or none. */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (patch == null || !patch.isArray()) {
      throw PatchException.badRequest("a JSON patch must be a JSON array of operations");
    }
    JsonNode doc = target == null ? null : target.deepCopy();
    for (JsonNode op : patch) {
      doc = applyOne(doc, op);
    }
    return doc;
  }

  private static String text(JsonNode op, String field) {
    JsonNode v = op.get(field);
    if (v == null || !v.isString()) {
      String name = op.path("op").isString() ? op.get("op").asString() : "?";
      throw PatchException.badRequest(
          "invalid JSON patch operation " + name + ": missing or non-string \"" + field + "\"");
    }
    return v.asString();
  }

  private static JsonNode value(JsonNode op, String name) {
    JsonNode v = op.get("value");
    if (v == null) {
      throw PatchException.badRequest(
          "invalid JSON patch operation " + name + ": missing \"value\"");
    }
    return v.deepCopy();
  }

  private static JsonNode applyOne(JsonNode doc, JsonNode op) {
    if (!op.isObject()) {
      throw PatchException.badRequest("a JSON patch operation must be an object");
    }
    String name = text(op, "op");
    String path = text(op, "path");
    List<String> tokens = parsePointer(path);
    return switch (name) {
      case "add" -> add(doc, tokens, value(op, name), path);
      case "remove" -> {
        remove(doc, tokens, path, "remove");
        yield doc;
      }
      case "replace" -> {
        JsonNode v = value(op, name);
        if (tokens.isEmpty()) {
          yield v;
        }
        get(doc, tokens, path, "replace");
        remove(doc, tokens, path, "replace");
        yield add(doc, tokens, v, path);
      }
      case "move" -> {
        String from = text(op, "from");
        List<String> fromTokens = parsePointer(from);
        if (tokens.size() > fromTokens.size()
            && tokens.subList(0, fromTokens.size()).equals(fromTokens)) {
          throw PatchException.unprocessable(
              "move operation does not apply: cannot move " + from + " into its own child " + path);
        }
        JsonNode moved = get(doc, fromTokens, from, "move");
        if (fromTokens.isEmpty()) {
          yield add(null, tokens, moved, path);
        }
        remove(doc, fromTokens, from, "move");
        yield add(doc, tokens, moved, path);
      }
      case "copy" -> {
        String from = text(op, "from");
        JsonNode copied = get(doc, parsePointer(from), from, "copy").deepCopy();
        yield add(doc, tokens, copied, path);
      }
      case "test" -> {
        JsonNode expected = value(op, name);
        JsonNode actual = get(doc, tokens, path, "test");
        if (!JsonEquality.sameValue(actual, expected)) {
          throw PatchException.unprocessable("testing value " + path + " failed: test failed");
        }
        yield doc;
      }
      default ->
          throw PatchException.badRequest("unexpected JSON patch operation \"" + name + "\"");
    };
  }

  static List<String> parsePointer(String path) {
    List<String> tokens = new ArrayList<>();
    if (path.isEmpty()) {
      return tokens;
    }
    if (path.charAt(0) != '/') {
      throw PatchException.badRequest("invalid JSON pointer \"" + path + "\": must start with '/'");
    }
    for (String raw : path.substring(1).split("/", -1)) {
      StringBuilder t = new StringBuilder();
      for (int i = 0; i < raw.length(); i++) {
        char c = raw.charAt(i);
        if (c == '~') {
          char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
          if (next == '0') {
            t.append('~');
          } else if (next == '1') {
            t.append('/');
          } else {
            throw PatchException.badRequest(
                "invalid JSON pointer \"" + path + "\": '~' must be followed by 0 or 1");
          }
          i++;
        } else {
          t.append(c);
        }
      }
      tokens.add(t.toString());
    }
    return tokens;
  }

  private static JsonNode parent(JsonNode doc, List<String> tokens, String path, String op) {
    JsonNode node = doc;
    for (int i = 0; i < tokens.size() - 1; i++) {
      node = child(node, tokens.get(i));
      if (node == null) {
        throw missing(op, path);
      }
    }
    if (node == null || !(node.isObject() || node.isArray())) {
      throw missing(op, path);
    }
    return node;
  }

  private static JsonNode child(JsonNode node, String token) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      return node.get(token);
    }
    if (node.isArray()) {
      int index = arrayIndex(token, node.size() - 1);
      return index < 0 ? null : node.get(index);
    }
    return null;
  }

  /** The index a token names, or -1 when it is not a valid index up to max. */
  private static int arrayIndex(String token, int max) {
    if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
      return -1;
    }
    for (int i = 0; i < token.length(); i++) {
      if (!Character.isDigit(token.charAt(i))) {
        return -1;
      }
    }
    int index = Integer.parseInt(token);
    return index > max ? -1 : index;
  }

  private static PatchException missing(String op, String path) {
    return PatchException.unprocessable(
        op + " operation does not apply: doc is missing path: \"" + path + "\"");
  }

  private static JsonNode get(JsonNode doc, List<String> tokens, String path, String op) {
    JsonNode node = doc;
    for (String t : tokens) {
      node = child(node, t);
      if (node == null) {
        throw missing(op, path);
      }
    }
    if (node == null) {
      throw missing(op, path);
    }
    return node;
  }

  private static JsonNode add(JsonNode doc, List<String> tokens, JsonNode value, String path) {
    if (tokens.isEmpty()) {
      return value;
    }
    JsonNode parent = parent(doc, tokens, path, "add");
    String last = tokens.getLast();
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else {
      ArrayNode array = (ArrayNode) parent;
      if (last.equals("-")) {
        array.add(value);
      } else {
        int index = arrayIndex(last, array.size());
        if (index < 0) {
          throw PatchException.unprocessable(
              "add operation does not apply: index out of bounds in \"" + path + "\"");
        }
        array.insert(index, value);
      }
    }
    return doc;
  }

  private static void remove(JsonNode doc, List<String> tokens, String path, String op) {
    if (tokens.isEmpty()) {
      throw PatchException.unprocessable(op + " operation does not apply: cannot remove the root");
    }
    JsonNode parent = parent(doc, tokens, path, op);
    String last = tokens.getLast();
    if (parent instanceof ObjectNode object) {
      if (!object.has(last)) {
        throw missing(op, path);
      }
      object.remove(last);
    } else {
      ArrayNode array = (ArrayNode) parent;
      int index = arrayIndex(last, array.size() - 1);
      if (index < 0) {
        throw missing(op, path);
      }
      array.remove(index);
    }
  }

  /** Equality of JSON values where numbers compare by value (1 equals 1.0). */
  static final class JsonEquality {
    static boolean sameValue(JsonNode a, JsonNode b) {
      if (a.isNumber() && b.isNumber()) {
        return a.decimalValue().compareTo(b.decimalValue()) == 0;
      }
      if (a.isArray() && b.isArray()) {
        if (a.size() != b.size()) {
          return false;
        }
        for (int i = 0; i < a.size(); i++) {
          if (!sameValue(a.get(i), b.get(i))) {
            return false;
          }
        }
        return true;
      }
      if (a.isObject() && b.isObject()) {
        if (a.size() != b.size()) {
          return false;
        }
        for (var e : a.properties()) {
          JsonNode other = b.get(e.getKey());
          if (other == null || !sameValue(e.getValue(), other)) {
            return false;
          }
        }
        return true;
      }
      return a.equals(b);
    }

    private JsonEquality() {}
  }
}
