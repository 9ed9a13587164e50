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
        return discardNulls(patch);
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
          setOrRemove(original, key, withoutDirectives(discardNulls(value)));
        }
        continue;
      }
      if (current.isObject() && value.isObject()) {
        if (PatchMeta.of(schema, key).map(PatchMeta::isReplace).orElse(false)) {
          setOrRemove(original, key, withoutDirectives(discardNulls(value)));
          continue;
        }
        Class<?> sub = ModelFields.valueClass(schema, key).orElse(null);
        original.set(key, mergeMap((ObjectNode) current, (ObjectNode) value, sub));
      } else if (current.isArray() && value.isArray()) {
        Optional<PatchMeta> meta = PatchMeta.of(schema, key);
        if (deleteList || (meta.isPresent() && meta.get().isMerge())) {
          Class<?> sub = ModelFields.valueClass(schema, key).orElse(null);
          String mergeKey = meta.map(PatchMeta::mergeKey).orElse("");
          original.set(
              key, mergeList((ArrayNode) current, (ArrayNode) value, sub, mergeKey, deleteList));
        } else {
          original.set(key, discardNulls(value));
        }
      } else if (!deleteList) {
        setOrRemove(original, key, withoutDirectives(discardNulls(value)));
      }
    }
    return original;
  }

  private static void setOrRemove(ObjectNode target, String key, JsonNode value) {
    if (value == null) {
      target.remove(key);
    } else {
      target.set(key, value);
    }
  }

  /**
   * A patch value taken as is where there is nothing to merge into: objects carrying a {@code
   * $patch} directive are dropped (null when the value itself is one), as are the other directive
   * keys, which Kubernetes would drop when decoding into the typed object.
   */
  private static JsonNode withoutDirectives(JsonNode value) {
    if (value.isObject()) {
      if (value.has(DIRECTIVE)) {
        return null;
      }
      ObjectNode o = (ObjectNode) value;
      for (String name : new ArrayList<>(o.propertyNames())) {
        setOrRemove(o, name, isDirectiveKey(name) ? null : withoutDirectives(o.get(name)));
      }
      return o;
    }
    if (value.isArray()) {
      ArrayNode cleaned = Json.MAPPER.createArrayNode();
      for (JsonNode element : value) {
        JsonNode kept = withoutDirectives(element);
        if (kept != null) {
          cleaned.add(kept);
        }
      }
      return cleaned;
    }
    return value;
  }

  private static boolean isDirectiveKey(String name) {
    return name.equals(RETAIN_KEYS)
        || name.startsWith(SET_ELEMENT_ORDER)
        || name.startsWith(DELETE_FROM_PRIMITIVE_LIST);
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
      JsonNode order = patch.remove(directiveKey);
      JsonNode originalList = original.get(key);
      JsonNode patchList = patch.get(key);
      if (!order.isArray()
          || (originalList != null && !originalList.isArray())
          || (patchList != null && !patchList.isArray())) {
        throw PatchException.badRequest("invalid patch format of setElementOrder list");
      }
      Optional<PatchMeta> meta = PatchMeta.of(schema, key);
      String mergeKey = meta.map(PatchMeta::mergeKey).orElse("");
      if (patchList != null) {
        validateOrder((ArrayNode) patchList, (ArrayNode) order, mergeKey);
      }
      ArrayNode merged;
      if (originalList != null && patchList == null) {
        merged = (ArrayNode) originalList;
      } else if (originalList == null && patchList != null) {
        merged = (ArrayNode) withoutDirectives(patchList);
      } else if (originalList != null) {
        if (meta.isPresent() && meta.get().isMerge()) {
          merged =
              mergeList(
                  (ArrayNode) originalList,
                  (ArrayNode) patchList,
                  ModelFields.valueClass(schema, key).orElse(null),
                  mergeKey,
                  false);
        } else {
          merged = (ArrayNode) patchList;
        }
      } else {
        continue;
      }
      ArrayNode serverOrder =
          originalList instanceof ArrayNode a ? a : Json.MAPPER.createArrayNode();
      boolean maps = !mergeKey.isEmpty();
      if (maps) {
        for (JsonNode n : merged) {
          requireMergeKey(n, mergeKey);
        }
        for (JsonNode n : order) {
          requireMergeKey(n, mergeKey);
        }
      }
      original.set(key, normalizeOrder(merged, (ArrayNode) order, serverOrder, mergeKey, maps));
      patch.remove(key);
    }
  }

  /** The non-deleting elements of the patch list must appear in the order list, in its order. */
  private static void validateOrder(ArrayNode patchList, ArrayNode order, String mergeKey) {
    if (order.isEmpty() || patchList.isEmpty()) {
      return;
    }
    List<JsonNode> items = new ArrayList<>();
    for (JsonNode n : patchList) {
      if (!(n.isObject() && n.has(DIRECTIVE))) {
        items.add(n);
      }
    }
    int p = 0;
    int o = 0;
    while (p < items.size() && o < order.size()) {
      JsonNode item = items.get(p);
      JsonNode wanted = order.get(o);
      boolean same =
          mergeKey.isEmpty()
              ? sameScalar(item, wanted)
              : item.has(mergeKey)
                  && wanted.has(mergeKey)
                  && sameScalar(item.get(mergeKey), wanted.get(mergeKey));
      if (same) {
        p++;
      }
      o++;
    }
    if (p < items.size()) {
      throw PatchException.badRequest(
          "The order in patch list: "
              + patchList
              + " doesn't match "
              + SET_ELEMENT_ORDER
              + " list: "
              + order);
    }
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
        replaced.add(fresh(n));
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
        merged.add(fresh(element));
      }
    }
    return normalizeOrder(merged, patchItems, remaining, mergeKey, true);
  }

  private static JsonNode fresh(JsonNode element) {
    JsonNode cleaned = withoutDirectives(discardNulls(element));
    return cleaned == null ? Json.object() : cleaned;
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
