package dev.skiff.api.patch;

import dev.skiff.api.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' strategic merge patch for built-in kinds. The structure comes from the fabric8 model
 * class (by reflection) and the strategies from {@link PatchMeta}: lists with the "merge" strategy
 * merge element by element on their merge key (or as sets, for primitives), other lists are
 * replaced, objects merge recursively and null deletes a key.
 *
 * <p>Directives: {@code $patch: replace} and {@code $patch: delete} in an object, and {@code
 * $patch: replace} or {@code {"<mergeKey>": ..., "$patch": "delete"}} as list elements; {@code
 * $retainKeys}; {@code $setElementOrder/<list>}; {@code $deleteFromPrimitiveList/<list>}. Elements
 * that exist only on the server keep their place relative to the patched ones, as in Kubernetes.
 *
 * <p>Custom resources have no model class: Kubernetes refuses strategic merge for them (415), so
 * callers check {@link #supportsStrategicMerge(Class)} first; {@link #apply} given a null class
 * falls back to JSON merge patch.
 */
public final class StrategicMergePatch {
  static final String DIRECTIVE = "$patch";
  static final String RETAIN_KEYS = "$retainKeys";
  static final String SET_ELEMENT_ORDER = "$setElementOrder/";
  static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

  private StrategicMergePatch() {}

  /** Whether objects of this model class accept strategic merge patches (built-in kinds only). */
  public static boolean supportsStrategicMerge(Class<?> modelClass) {
    return modelClass != null;
  }

  /** The patched object; neither argument is modified. */
  public static ObjectNode apply(ObjectNode original, ObjectNode patch, Class<?> modelClass) {
    if (modelClass == null) {
      return (ObjectNode) MergePatch.apply(original, patch);
    }
    ObjectNode target = original == null ? Json.object() : original.deepCopy();
    return asObject(mergeMap(target, patch.deepCopy(), modelClass));
  }

  private static ObjectNode asObject(JsonNode node) {
    return (ObjectNode) node;
  }

  private static JsonNode mergeMap(ObjectNode original, ObjectNode patch, Class<?> schema) {
    JsonNode directive = patch.get(DIRECTIVE);
    if (directive != null) {
      String d = directive.isString() ? directive.asString() : directive.toString();
      if (d.equals("replace")) {
        patch.remove(DIRECTIVE);
        return patch;
      }
      if (d.equals("delete")) {
        return Json.object();
      }
      throw PatchException.badRequest("unknown patch type: " + d + " in map: " + patch);
    }
    applyRetainKeys(original, patch);
    applySetElementOrder(original, patch, schema);

    for (Map.Entry<String, JsonNode> entry : new ArrayList<>(patch.properties())) {
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      boolean deleteList = false;
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deleteList = true;
        key = key.substring(DELETE_FROM_PRIMITIVE_LIST.length());
      }
      if (value.isNull()) {
        original.remove(key);
        continue;
      }
      JsonNode current = original.get(key);
      if (current == null) {
        if (!deleteList) {
          original.set(key, fresh(value, schema, key));
        }
        continue;
      }
      if (current.isObject() && value.isObject()) {
        if (PatchMeta.of(schema, key).map(PatchMeta::isReplace).orElse(false)) {
          original.set(key, fresh(value, schema, key));
          continue;
        }
        Class<?> sub = ModelFields.valueClass(schema, key).orElse(null);
        original.set(key, mergeMap((ObjectNode) current, (ObjectNode) value, sub));
      } else if (current.isArray() && value.isArray()) {
        Optional<PatchMeta> meta = PatchMeta.of(schema, key);
        if (meta.isPresent() && meta.get().isMerge()) {
          Class<?> sub = ModelFields.valueClass(schema, key).orElse(null);
          original.set(
              key,
              mergeList(
                  (ArrayNode) current, (ArrayNode) value, sub, meta.get().mergeKey(), deleteList));
        } else {
          original.set(key, value);
        }
      } else if (!deleteList) {
        original.set(key, discardNulls(value));
      }
    }
    return original;
  }

  /** A value for a key the original lacks: directives resolved against nothing, nulls dropped. */
  private static JsonNode fresh(JsonNode value, Class<?> schema, String key) {
    if (value.isObject()) {
      return mergeMap(
          Json.object(), (ObjectNode) value, ModelFields.valueClass(schema, key).orElse(null));
    }
    if (value.isArray()) {
      Optional<PatchMeta> meta = PatchMeta.of(schema, key);
      if (meta.isPresent() && meta.get().isMerge()) {
        return mergeList(
            Json.MAPPER.createArrayNode(),
            (ArrayNode) value,
            ModelFields.valueClass(schema, key).orElse(null),
            meta.get().mergeKey(),
            false);
      }
      return discardNulls(value);
    }
    return value;
  }

  private static JsonNode discardNulls(JsonNode value) {
    if (value.isObject()) {
      ObjectNode o = (ObjectNode) value;
      for (String name : new ArrayList<>(o.propertyNames())) {
        if (o.get(name).isNull()) {
          o.remove(name);
        } else {
          discardNulls(o.get(name));
        }
      }
    } else if (value.isArray()) {
      for (JsonNode element : value) {
        discardNulls(element);
      }
    }
    return value;
  }

  private static void applyRetainKeys(ObjectNode original, ObjectNode patch) {
    JsonNode retain = patch.remove(RETAIN_KEYS);
    if (retain == null) {
      return;
    }
    Set<String> keep = new HashSet<>();
    if (!retain.isNull()) {
      if (!retain.isArray()) {
        throw PatchException.badRequest("invalid patch format of retainKeys");
      }
      for (JsonNode k : retain) {
        keep.add(k.isString() ? k.asString() : k.toString());
      }
    }
    for (Map.Entry<String, JsonNode> e : patch.properties()) {
      String k = e.getKey();
      if (e.getValue().isNull()
          || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)
          || k.startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      if (!keep.contains(k)) {
        throw PatchException.badRequest("invalid patch format of retainKeys");
      }
    }
    for (String k : new ArrayList<>(original.propertyNames())) {
      if (!keep.contains(k)) {
        original.remove(k);
      }
    }
  }

  private static void applySetElementOrder(ObjectNode original, ObjectNode patch, Class<?> schema) {
    for (String directiveKey : new ArrayList<>(patch.propertyNames())) {
      if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      String key = directiveKey.substring(SET_ELEMENT_ORDER.length());
      JsonNode order = patch.get(directiveKey);
      JsonNode originalList = original.get(key);
      JsonNode patchList = patch.get(key);
      if (!order.isArray()
          || (originalList != null && !originalList.isNull() && !originalList.isArray())
          || (patchList != null && !patchList.isNull() && !patchList.isArray())) {
        throw PatchException.badRequest("invalid patch format of setElementOrder list");
      }
      ArrayNode originalArray =
          originalList instanceof ArrayNode a ? a : Json.MAPPER.createArrayNode();
      ArrayNode patchArray = patchList instanceof ArrayNode a ? a : Json.MAPPER.createArrayNode();
      Optional<PatchMeta> meta = PatchMeta.of(schema, key);
      String mergeKey = meta.map(PatchMeta::mergeKey).orElse("");
      ArrayNode merged;
      if (meta.isPresent() && meta.get().isMerge()) {
        merged =
            mergeList(
                originalArray,
                patchArray,
                ModelFields.valueClass(schema, key).orElse(null),
                mergeKey,
                false);
      } else {
        merged = patchList instanceof ArrayNode ? patchArray : originalArray;
      }
      if (!merged.isEmpty()) {
        merged = orderBy(merged, (ArrayNode) order, mergeKey);
      }
      if (!merged.isEmpty() || originalList != null) {
        original.set(key, merged);
      }
      patch.remove(key);
      patch.remove(directiveKey);
    }
  }

  /**
   * Elements named in the order list take their places in its order; others stay where they are.
   */
  private static ArrayNode orderBy(ArrayNode list, ArrayNode order, String mergeKey) {
    boolean maps = list.get(0).isObject();
    if (maps) {
      for (JsonNode n : list) {
        requireMergeKey(n, mergeKey);
      }
      for (JsonNode n : order) {
        requireMergeKey(n, mergeKey);
      }
    }
    List<Integer> slots = new ArrayList<>();
    List<JsonNode> ordered = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      if (indexOf(order, list.get(i), mergeKey, maps) >= 0) {
        slots.add(i);
        ordered.add(list.get(i));
      }
    }
    ordered.sort(
        (a, b) ->
            Integer.compare(indexOf(order, a, mergeKey, maps), indexOf(order, b, mergeKey, maps)));
    ArrayNode result = list.deepCopy();
    for (int i = 0; i < slots.size(); i++) {
      result.set(slots.get(i), ordered.get(i));
    }
    return result;
  }

  private static void requireMergeKey(JsonNode element, String mergeKey) {
    if (!element.isObject() || !element.has(mergeKey)) {
      throw PatchException.unprocessable(
          "map: " + element + " does not contain declared merge key: " + mergeKey);
    }
  }

  private static ArrayNode mergeList(
      ArrayNode original,
      ArrayNode patch,
      Class<?> elementSchema,
      String mergeKey,
      boolean delete) {
    if (original.isEmpty() && patch.isEmpty()) {
      return original;
    }
    Boolean maps = null;
    for (JsonNode n : iterate(original, patch)) {
      if (n.isArray()) {
        throw PatchException.unprocessable("lists of lists are not supported");
      }
      boolean isMap = n.isObject();
      if (maps != null && maps != isMap) {
        throw PatchException.unprocessable(
            "list elements of different types cannot be merged: " + original + " and " + patch);
      }
      maps = isMap;
    }
    if (!maps) {
      if (delete) {
        ArrayNode kept = Json.MAPPER.createArrayNode();
        for (JsonNode n : original) {
          if (indexOf(patch, n, "", false) < 0) {
            kept.add(n);
          }
        }
        return kept;
      }
      ArrayNode merged = Json.MAPPER.createArrayNode();
      for (JsonNode n : iterate(original, patch)) {
        if (indexOf(merged, n, "", false) < 0) {
          merged.add(n);
        }
      }
      return normalizeOrder(merged, patch, original, "", false);
    }
    if (mergeKey.isEmpty()) {
      throw PatchException.unprocessable("cannot merge lists without merge key");
    }
    ArrayNode patchItems = Json.MAPPER.createArrayNode();
    ArrayNode remaining = original;
    boolean replace = false;
    for (JsonNode element : patch) {
      JsonNode d = element.get(DIRECTIVE);
      if (d == null) {
        patchItems.add(element);
        continue;
      }
      String directive = d.isString() ? d.asString() : d.toString();
      switch (directive) {
        case "delete" -> {
          JsonNode keyValue = element.get(mergeKey);
          if (keyValue == null) {
            throw PatchException.unprocessable(
                "map: " + element + " does not contain declared merge key: " + mergeKey);
          }
          ArrayNode kept = Json.MAPPER.createArrayNode();
          for (JsonNode n : remaining) {
            if (!sameKey(n, keyValue, mergeKey)) {
              kept.add(n);
            }
          }
          remaining = kept;
        }
        case "replace" -> replace = true;
        case "merge" ->
            throw PatchException.badRequest("merging lists cannot yet be specified in the patch");
        default ->
            throw PatchException.badRequest(
                "unknown patch type: " + directive + " in map: " + element);
      }
    }
    if (replace) {
      ArrayNode replaced = Json.MAPPER.createArrayNode();
      for (JsonNode n : patchItems) {
        replaced.add(fresh(n, elementSchema));
      }
      return replaced;
    }
    ArrayNode merged = remaining.deepCopy();
    for (JsonNode element : patchItems) {
      JsonNode keyValue = element.get(mergeKey);
      if (keyValue == null) {
        throw PatchException.unprocessable(
            "map: " + element + " does not contain declared merge key: " + mergeKey);
      }
      int found = -1;
      for (int i = 0; i < merged.size(); i++) {
        if (sameKey(merged.get(i), keyValue, mergeKey)) {
          found = i;
          break;
        }
      }
      if (found >= 0) {
        merged.set(
            found, mergeMap((ObjectNode) merged.get(found), (ObjectNode) element, elementSchema));
      } else {
        merged.add(fresh(element, elementSchema));
      }
    }
    return normalizeOrder(merged, patchItems, remaining, mergeKey, true);
  }

  private static JsonNode fresh(JsonNode element, Class<?> elementSchema) {
    return element.isObject()
        ? mergeMap(Json.object(), (ObjectNode) element, elementSchema)
        : element;
  }

  private static List<JsonNode> iterate(ArrayNode a, ArrayNode b) {
    List<JsonNode> all = new ArrayList<>(a.size() + b.size());
    a.forEach(all::add);
    b.forEach(all::add);
    return all;
  }

  private static boolean sameKey(JsonNode element, JsonNode keyValue, String mergeKey) {
    JsonNode v = element.get(mergeKey);
    return v != null && sameScalar(v, keyValue);
  }

  private static boolean sameScalar(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static int indexOf(ArrayNode list, JsonNode item, String mergeKey, boolean maps) {
    for (int i = 0; i < list.size(); i++) {
      JsonNode candidate = list.get(i);
      if (maps) {
        JsonNode k = item.get(mergeKey);
        if (k != null && candidate.isObject() && sameKey(candidate, k, mergeKey)) {
          return i;
        }
      } else if (sameScalar(candidate, item)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Kubernetes' element order after a merge: the patched elements in patch order, interleaved with
   * the server-only elements in their original order, each server-only element placed before the
   * first patched element that came after it in the original list.
   */
  private static ArrayNode normalizeOrder(
      ArrayNode merged, ArrayNode patch, ArrayNode serverOrder, String mergeKey, boolean maps) {
    List<JsonNode> patched = new ArrayList<>();
    List<JsonNode> serverOnly = new ArrayList<>();
    for (JsonNode n : merged) {
      (indexOf(patch, n, mergeKey, maps) >= 0 ? patched : serverOnly).add(n);
    }
    patched.sort(
        (a, b) ->
            Integer.compare(indexOf(patch, a, mergeKey, maps), indexOf(patch, b, mergeKey, maps)));
    serverOnly.sort(
        (a, b) ->
            Integer.compare(
                indexOf(serverOrder, a, mergeKey, maps), indexOf(serverOrder, b, mergeKey, maps)));
    ArrayNode result = Json.MAPPER.createArrayNode();
    int i = 0;
    int j = 0;
    while (i < serverOnly.size() || j < patched.size()) {
      if (i >= serverOnly.size()) {
        result.add(patched.get(j++));
      } else if (j >= patched.size()) {
        result.add(serverOnly.get(i++));
      } else {
        int li = indexOf(serverOrder, serverOnly.get(i), mergeKey, maps);
        int ri = indexOf(serverOrder, patched.get(j), mergeKey, maps);
        if (li >= 0 && ri >= 0 && li < ri) {
          result.add(serverOnly.get(i++));
        } else {
          result.add(patched.get(j++));
        }
      }
    }
    return result;
  }
}
