package dev.skiff.apiserver.registry;

import dev.skiff.api.Json;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * metadata.managedFields for non-apply writes (operation "Update"): the writing manager owns the
 * fields its write set or changed, other managers lose those, and fields that no longer exist are
 * dropped. Field sets use Kubernetes' FieldsV1 notation: {@code f:name} for fields, {@code
 * k:{"name":"x"}} for list items with a merge key, {@code v:"x"} for set items, {@code "."} for the
 * item or map itself.
 *
 * <p>Approximations (no schema here): lists are keyed by the merge keys of the built-in kinds and
 * otherwise owned whole; "." is added for list items and for fields known to be maps or optional
 * structs.
 */
final class ManagedFields {
  /** The merge keys of lists in built-in kinds, by field name. */
  private static final Map<String, List<String>> MERGE_KEYS =
      Map.ofEntries(
          Map.entry("containers", List.of("name")),
          Map.entry("initContainers", List.of("name")),
          Map.entry("ephemeralContainers", List.of("name")),
          Map.entry("volumes", List.of("name")),
          Map.entry("env", List.of("name")),
          Map.entry("volumeMounts", List.of("mountPath")),
          Map.entry("volumeDevices", List.of("devicePath")),
          Map.entry("imagePullSecrets", List.of("name")),
          Map.entry("ownerReferences", List.of("uid")),
          Map.entry("conditions", List.of("type")),
          Map.entry("hostAliases", List.of("ip")),
          Map.entry("topologySpreadConstraints", List.of("topologyKey", "whenUnsatisfiable")));

  /** Set-like lists of scalars, keyed by value. */
  private static final Set<String> SETS = Set.of("finalizers");

  /** Fields whose objects carry "." (maps and optional structs). */
  private static final Set<String> DOTTED =
      Set.of(
          "labels",
          "annotations",
          "nodeSelector",
          "data",
          "binaryData",
          "stringData",
          "matchLabels",
          "limits",
          "requests",
          "rollingUpdate",
          "capacity",
          "allocatable",
          "livenessProbe",
          "readinessProbe",
          "startupProbe",
          "httpGet",
          "tcpSocket",
          "exec",
          "configMap",
          "secret",
          "emptyDir",
          "hostPath",
          "persistentVolumeClaim",
          "valueFrom",
          "configMapKeyRef",
          "secretKeyRef",
          "fieldRef",
          "resourceFieldRef",
          "ownerReferences");

  /** Server-owned metadata that is never managed. */
  private static final Set<String> UNMANAGED_METADATA =
      Set.of(
          "name",
          "namespace",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "managedFields",
          "selfLink",
          "generateName");

  private ManagedFields() {}

  /**
   * Records the write of {@code object} (replacing {@code old}, null on create) by the request's
   * manager; {@code subresource} is "status" for status writes, else null.
   */
  static void record(
      ObjectNode object,
      ObjectNode old,
      WriteOptions options,
      String subresource,
      InstantSource clock) {
    String manager = options.fieldManager();
    ObjectNode metadata = Meta.metadata(object);
    JsonNode previous = old == null ? null : old.path("metadata").get("managedFields");
    if (manager == null || manager.isEmpty()) {
      if (previous != null) {
        metadata.set("managedFields", previous.deepCopy());
      } else {
        metadata.remove("managedFields");
      }
      return;
    }
    Set<String> now = paths(object, subresource);
    Set<String> changed = new java.util.TreeSet<>(now);
    if (old != null) {
      Map<String, JsonNode> before = leaves(old, subresource);
      Map<String, JsonNode> after = leaves(object, subresource);
      // a map or item itself (".") changes hands only when it appears; its fields are tracked apart
      changed.removeIf(
          p ->
              p.endsWith("\n.")
                  ? before.containsKey(p)
                  : after.get(p) != null && after.get(p).equals(before.get(p)));
    }
    ArrayNode entries = Json.MAPPER.createArrayNode();
    Set<String> mine = new java.util.TreeSet<>(changed);
    boolean found = false;
    if (previous instanceof ArrayNode list) {
      for (JsonNode e : list) {
        if (!(e instanceof ObjectNode entry)) {
          continue;
        }
        Set<String> owned = fromFieldsV1(entry.path("fieldsV1"));
        owned.retainAll(pathsAll(object));
        boolean same =
            manager.equals(entry.path("manager").asString(""))
                && "Update".equals(entry.path("operation").asString(""))
                && java.util.Objects.equals(
                    subresource,
                    entry.hasNonNull("subresource") ? entry.get("subresource").asString() : null);
        if (same) {
          found = true;
          mine.addAll(owned);
          continue;
        }
        owned.removeAll(changed);
        if (!owned.isEmpty()) {
          ObjectNode copy = entry.deepCopy();
          copy.set("fieldsV1", toFieldsV1(owned));
          entries.add(copy);
        }
      }
    }
    if (!mine.isEmpty() || !found) {
      ObjectNode entry = Json.object();
      entry.put("manager", manager);
      entry.put("operation", "Update");
      entry.put("apiVersion", options.apiVersion());
      entry.put("time", GenericRegistry.timestamp(clock.instant()));
      entry.put("fieldsType", "FieldsV1");
      entry.set("fieldsV1", toFieldsV1(mine));
      if (subresource != null) {
        entry.put("subresource", subresource);
      }
      entries.add(entry);
    }
    metadata.set("managedFields", entries);
  }

  private static Set<String> pathsAll(ObjectNode object) {
    Set<String> all = new java.util.TreeSet<>(paths(object, null));
    all.addAll(paths(object, "status"));
    return all;
  }

  /** The leaf paths of the part of {@code object} a write owns, each path joined by '\n'. */
  static Set<String> paths(ObjectNode object, String subresource) {
    return new java.util.TreeSet<>(leaves(object, subresource).keySet());
  }

  private static Map<String, JsonNode> leaves(ObjectNode object, String subresource) {
    Map<String, JsonNode> out = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : object.properties()) {
      String field = e.getKey();
      if (field.equals("apiVersion") || field.equals("kind")) {
        continue;
      }
      boolean status = field.equals("status");
      if ("status".equals(subresource) != status) {
        continue;
      }
      if (field.equals("metadata") && e.getValue() instanceof ObjectNode metadata) {
        for (Map.Entry<String, JsonNode> m : metadata.properties()) {
          if (!UNMANAGED_METADATA.contains(m.getKey())) {
            walk("f:metadata\nf:" + m.getKey(), m.getKey(), m.getValue(), out);
          }
        }
        continue;
      }
      walk("f:" + field, field, e.getValue(), out);
    }
    return out;
  }

  private static void walk(String path, String field, JsonNode value, Map<String, JsonNode> out) {
    if (value instanceof ObjectNode object && !object.isEmpty()) {
      if (DOTTED.contains(field)) {
        out.put(path + "\n.", value);
      }
      for (Map.Entry<String, JsonNode> e : object.properties()) {
        walk(path + "\nf:" + e.getKey(), e.getKey(), e.getValue(), out);
      }
      return;
    }
    if (value instanceof ArrayNode array && !array.isEmpty()) {
      List<String> keys = MERGE_KEYS.get(field);
      if (SETS.contains(field)) {
        for (JsonNode item : array) {
          out.put(path + "\nv:" + Json.MAPPER.writeValueAsString(item), item);
        }
        return;
      }
      if (keys != null && allKeyed(array, keys)) {
        for (JsonNode item : array) {
          ObjectNode key = Json.object();
          for (String k : keys) {
            if (item.has(k)) {
              key.set(k, item.get(k));
            }
          }
          String itemPath = path + "\nk:" + Json.MAPPER.writeValueAsString(key);
          out.put(itemPath + "\n.", item);
          for (Map.Entry<String, JsonNode> e : item.properties()) {
            walk(itemPath + "\nf:" + e.getKey(), e.getKey(), e.getValue(), out);
          }
        }
        return;
      }
    }
    out.put(path, value);
  }

  private static boolean allKeyed(ArrayNode array, List<String> keys) {
    for (JsonNode item : array) {
      if (!(item instanceof ObjectNode) || !item.has(keys.get(0))) {
        return false;
      }
    }
    return true;
  }

  static ObjectNode toFieldsV1(Set<String> paths) {
    ObjectNode root = Json.object();
    for (String path : paths) {
      ObjectNode node = root;
      for (String part : path.split("\n")) {
        node = node.get(part) instanceof ObjectNode child ? child : node.putObject(part);
      }
    }
    return root;
  }

  static Set<String> fromFieldsV1(JsonNode fields) {
    Set<String> out = new java.util.TreeSet<>();
    collect("", fields, out);
    return out;
  }

  private static void collect(String prefix, JsonNode node, Set<String> out) {
    if (!(node instanceof ObjectNode object) || object.isEmpty()) {
      if (!prefix.isEmpty()) {
        out.add(prefix);
      }
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      collect(prefix.isEmpty() ? e.getKey() : prefix + "\n" + e.getKey(), e.getValue(), out);
    }
  }
}
