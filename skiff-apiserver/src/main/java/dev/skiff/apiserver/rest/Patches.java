package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies PATCH bodies to object trees: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
 * strategic merge patch for the built-in kinds' keyed lists. Application errors are the API's
 * errors (400 for malformed patches, 422 for failed json-patch tests).
 *
 * <p>Strategic merge here merges maps like a merge patch, merges the lists whose merge key it knows
 * (containers, volumes, env, ports ... by name; finalizers as a set) item by item honoring {@code
 * $patch: delete}, replaces other lists, and drops {@code $setElementOrder} and {@code $retainKeys}
 * directives. The full implementation belongs to dev.skiff.api.patch.
 */
final class Patches {
  private static final Map<String, String> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", "name"),
          Map.entry("initContainers", "name"),
          Map.entry("ephemeralContainers", "name"),
          Map.entry("volumes", "name"),
          Map.entry("env", "name"),
          Map.entry("imagePullSecrets", "name"),
          Map.entry("volumeMounts", "mountPath"),
          Map.entry("ownerReferences", "uid"),
          Map.entry("conditions", "type"),
          Map.entry("tolerations", "key"),
          Map.entry("hostAliases", "ip"));
  private static final List<String> SETS = List.of("finalizers");

  private Patches() {}

  static ObjectNode apply(String contentType, ObjectNode target, byte[] body) {
    JsonNode patch;
    try {
      patch = Json.MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("error decoding patch: " + e.getOriginalMessage());
    }
    JsonNode result =
        switch (contentType) {
          case "application/json-patch+json" -> jsonPatch(target, patch);
          case "application/merge-patch+json" -> mergePatch(target, patch, false);
          case "application/strategic-merge-patch+json" -> mergePatch(target, patch, true);
          case "application/apply-patch+yaml" ->
              throw ApiException.unsupportedMediaType(
                  "the body of the request was in an unknown format - accepted media types"
                      + " include: application/json-patch+json, application/merge-patch+json,"
                      + " application/strategic-merge-patch+json");
          default -> throw BodyDecoder.unsupported(contentType);
        };
    if (!(result instanceof ObjectNode object)) {
      throw ApiException.badRequest("the patch did not produce an object");
    }
    return object;
  }

  static JsonNode mergePatch(JsonNode target, JsonNode patch, boolean strategic) {
    if (!(patch instanceof ObjectNode patchObject)) {
      return patch;
    }
    ObjectNode result = target instanceof ObjectNode t ? t.deepCopy() : Json.object();
    for (Map.Entry<String, JsonNode> e : patchObject.properties()) {
      String field = e.getKey();
      JsonNode value = e.getValue();
      if (strategic && field.startsWith("$")) {
        continue;
      }
      if (value.isNull()) {
        result.remove(field);
      } else if (strategic && value instanceof ArrayNode list && MERGE_KEYS.containsKey(field)) {
        result.set(field, mergeList(result.get(field), list, MERGE_KEYS.get(field)));
      } else if (strategic && value instanceof ArrayNode list && SETS.contains(field)) {
        ArrayNode merged =
            result.get(field) instanceof ArrayNode a ? a.deepCopy() : Json.MAPPER.createArrayNode();
        for (JsonNode item : list) {
          if (!contains(merged, item)) {
            merged.add(item);
          }
        }
        result.set(field, merged);
      } else {
        result.set(field, mergePatch(result.get(field), value, strategic));
      }
    }
    return result;
  }

  private static boolean contains(ArrayNode array, JsonNode item) {
    for (JsonNode existing : array) {
      if (existing.equals(item)) {
        return true;
      }
    }
    return false;
  }

  private static ArrayNode mergeList(JsonNode current, ArrayNode patch, String key) {
    ArrayNode merged =
        current instanceof ArrayNode a ? a.deepCopy() : Json.MAPPER.createArrayNode();
    for (JsonNode item : patch) {
      if (!(item instanceof ObjectNode patchItem) || !patchItem.has(key)) {
        if (item instanceof ObjectNode o && "replace".equals(o.path("$patch").asString(""))) {
          return Json.MAPPER.createArrayNode();
        }
        merged.add(item);
        continue;
      }
      JsonNode id = patchItem.get(key);
      int index = -1;
      for (int i = 0; i < merged.size(); i++) {
        if (id.equals(merged.get(i).get(key))) {
          index = i;
          break;
        }
      }
      boolean delete = "delete".equals(patchItem.path("$patch").asString(""));
      if (delete) {
        if (index >= 0) {
          merged.remove(index);
        }
      } else if (index >= 0) {
        merged.set(index, mergePatch(merged.get(index), patchItem, true));
      } else {
        merged.add(mergePatch(Json.object(), patchItem, true));
      }
    }
    return merged;
  }

  static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
    if (!(patch instanceof ArrayNode operations)) {
      throw ApiException.badRequest(
          "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    }
    JsonNode doc = target.deepCopy();
    for (JsonNode op : operations) {
      String name = op.path("op").asString("");
      String path = op.path("path").asString("");
      doc =
          switch (name) {
            case "add" -> add(doc, path, value(op));
            case "remove" -> remove(doc, path);
            case "replace" -> add(remove(doc, path), path, value(op));
            case "move" -> {
              JsonNode moved = find(doc, op.path("from").asString(""));
              yield add(remove(doc, op.path("from").asString("")), path, moved);
            }
            case "copy" -> add(doc, path, find(doc, op.path("from").asString("")).deepCopy());
            case "test" -> {
              if (!find(doc, path).equals(value(op))) {
                throw ApiException.invalid(
                    "",
                    "",
                    "",
                    List.of(
                        new ApiException.Cause(
                            "FieldValueInvalid", "testing value " + path + " failed", path)));
              }
              yield doc;
            }
            default -> throw ApiException.badRequest("Unexpected kind: " + name);
          };
    }
    return doc;
  }

  private static JsonNode value(JsonNode op) {
    if (!op.has("value")) {
      throw ApiException.badRequest(
          "missing value for " + op.path("op").asString("") + " operation");
    }
    return op.get("value");
  }

  private static String[] tokens(String path) {
    if (path.isEmpty()) {
      return new String[0];
    }
    if (!path.startsWith("/")) {
      throw ApiException.badRequest("invalid JSON pointer: " + path);
    }
    String[] parts = path.substring(1).split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      parts[i] = parts[i].replace("~1", "/").replace("~0", "~");
    }
    return parts;
  }

  private static JsonNode find(JsonNode doc, String path) {
    JsonNode node = doc;
    for (String token : tokens(path)) {
      node = node.isArray() ? node.get(index(token, node.size(), path)) : node.get(token);
      if (node == null) {
        throw ApiException.badRequest("doc is missing path: \"" + path + "\": missing value");
      }
    }
    return node;
  }

  private static int index(String token, int size, String path) {
    try {
      int i = Integer.parseInt(token);
      if (i < 0 || i >= size) {
        throw ApiException.badRequest("index out of bounds in path: " + path);
      }
      return i;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid array index in path: " + path);
    }
  }

  private static JsonNode add(JsonNode doc, String path, JsonNode value) {
    String[] tokens = tokens(path);
    if (tokens.length == 0) {
      return value;
    }
    JsonNode parent = parentOf(doc, tokens, path);
    String last = tokens[tokens.length - 1];
    if (parent instanceof ArrayNode array) {
      if (last.equals("-")) {
        array.add(value);
      } else {
        int i;
        try {
          i = Integer.parseInt(last);
        } catch (NumberFormatException e) {
          throw ApiException.badRequest("invalid array index in path: " + path);
        }
        if (i < 0 || i > array.size()) {
          throw ApiException.badRequest("index out of bounds in path: " + path);
        }
        array.insert(i, value);
      }
    } else if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else {
      throw ApiException.badRequest("doc is missing path: \"" + path + "\": missing value");
    }
    return doc;
  }

  private static JsonNode remove(JsonNode doc, String path) {
    String[] tokens = tokens(path);
    JsonNode parent = parentOf(doc, tokens, path);
    String last = tokens[tokens.length - 1];
    if (parent instanceof ArrayNode array) {
      array.remove(index(last, array.size(), path));
    } else if (parent instanceof ObjectNode object && object.has(last)) {
      object.remove(last);
    } else {
      throw ApiException.badRequest("doc is missing path: \"" + path + "\": missing value");
    }
    return doc;
  }

  private static JsonNode parentOf(JsonNode doc, String[] tokens, String path) {
    JsonNode node = doc;
    for (int i = 0; i < tokens.length - 1; i++) {
      String token = tokens[i];
      node = node.isArray() ? node.get(index(token, node.size(), path)) : node.get(token);
      if (node == null) {
        throw ApiException.badRequest("doc is missing path: \"" + path + "\": missing value");
      }
    }
    return node;
  }
}
