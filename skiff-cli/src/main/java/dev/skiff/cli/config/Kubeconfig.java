package dev.skiff.cli.config;

import dev.skiff.api.Json;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A kubeconfig as kubectl holds it in memory: clusters, users and contexts by name, each entry
 * remembering the file it came from (its "location of origin"), plus the current context and
 * preferences. Entry values are in the canonical form of {@link KubeconfigSchema}.
 */
final class Kubeconfig {
  /** One named cluster, user or context and the file that defined it ({@code null} if new). */
  record Entry(ObjectNode value, String origin) {
    Entry withValue(ObjectNode newValue) {
      return new Entry(newValue, origin);
    }
  }

  final Map<String, Entry> clusters = new TreeMap<>();
  final Map<String, Entry> users = new TreeMap<>();
  final Map<String, Entry> contexts = new TreeMap<>();
  String currentContext = "";
  ObjectNode preferences = KubeconfigSchema.normalize(null, KubeconfigSchema.PREFERENCES, "");
  final Map<String, JsonNode> extensions = new TreeMap<>();

  /** Parses a kubeconfig file's text; entries get {@code origin} as their location. */
  static Kubeconfig parse(String text, String origin) {
    Kubeconfig config = new Kubeconfig();
    if (text.isEmpty()) {
      return config;
    }
    JsonNode root = GoYamlReader.read(text);
    if (root == null || root.isNull() || root.isMissingNode()) {
      return config;
    }
    if (!root.isObject()) {
      throw new ConfigException(
          "couldn't get version/kind; json parse error: json: cannot unmarshal "
              + (root.isArray() ? "array" : "string")
              + " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\";"
              + " Kind string \"json:\\\"kind,omitempty\\\"\" }");
    }
    String version = root.path("apiVersion").asString("");
    String kind = root.path("kind").asString("");
    if ((!version.isEmpty() && !version.equals("v1"))
        || (!kind.isEmpty() && !kind.equals("Config"))) {
      throw new ConfigException(
          "no kind \""
              + (kind.isEmpty() ? "Config" : kind)
              + "\" is registered for version \""
              + (version.isEmpty() ? "v1" : version)
              + "\" in scheme \"k8s.io/client-go/tools/clientcmd/api/latest/latest.go:50\"");
    }
    readEntries(root, "clusters", "cluster", KubeconfigSchema.CLUSTER, config.clusters, origin);
    readEntries(root, "users", "user", KubeconfigSchema.USER, config.users, origin);
    readEntries(root, "contexts", "context", KubeconfigSchema.CONTEXT, config.contexts, origin);
    JsonNode current = root.get("current-context");
    if (current != null && !current.isNull()) {
      if (!current.isString()) {
        throw new ConfigException(
            "json: cannot unmarshal "
                + (current.isNumber() ? "number" : "object")
                + " into Go struct field Config.current-context of type string");
      }
      config.currentContext = current.asString();
    }
    config.preferences =
        KubeconfigSchema.normalize(
            root.get("preferences"), KubeconfigSchema.PREFERENCES, "preferences");
    JsonNode extensions = root.get("extensions");
    if (extensions != null && extensions.isArray()) {
      for (JsonNode item : extensions) {
        config.extensions.put(item.path("name").asString(""), item.get("extension"));
      }
    }
    return config;
  }

  private static void readEntries(
      JsonNode root,
      String listName,
      String valueName,
      KubeconfigSchema.Struct struct,
      Map<String, Entry> into,
      String origin) {
    JsonNode list = root.get(listName);
    if (list == null || list.isNull()) {
      return;
    }
    if (!list.isArray()) {
      throw new ConfigException(
          "json: cannot unmarshal object into Go struct field Config."
              + listName
              + " of type []v1.Named"
              + struct.goName());
    }
    for (JsonNode item : list) {
      JsonNode name = item.get("name");
      if (name != null && !name.isNull() && !name.isString()) {
        throw new ConfigException(
            "json: cannot unmarshal number into Go struct field Named"
                + struct.goName()
                + "."
                + listName
                + ".name of type string");
      }
      String key = name == null || name.isNull() ? "" : name.asString();
      if (into.containsKey(key)) {
        throw new ConfigException(
            "error converting *[]Named"
                + struct.goName()
                + " into *map[string]*api."
                + struct.goName()
                + ": duplicate name \""
                + key
                + "\" in list");
      }
      ObjectNode value =
          KubeconfigSchema.normalize(item.get(valueName), struct, listName + "." + valueName);
      into.put(key, new Entry(value, origin));
    }
  }

  Kubeconfig copy() {
    Kubeconfig copy = new Kubeconfig();
    copy.clusters.putAll(clusters);
    copy.users.putAll(users);
    copy.contexts.putAll(contexts);
    copy.currentContext = currentContext;
    copy.preferences = preferences.deepCopy();
    copy.extensions.putAll(extensions);
    return copy;
  }

  /** The clientcmd v1 object kubectl serializes, fields in Go's order. */
  ObjectNode toV1() {
    ObjectNode v1 = Json.object();
    v1.put("kind", "Config");
    v1.put("apiVersion", "v1");
    v1.set("preferences", preferences);
    v1.set("clusters", namedList(clusters, "cluster"));
    v1.set("users", namedList(users, "user"));
    v1.set("contexts", namedList(contexts, "context"));
    v1.put("current-context", currentContext);
    if (!extensions.isEmpty()) {
      ArrayNode list = v1.putArray("extensions");
      extensions.forEach(
          (name, extension) -> {
            ObjectNode item = list.addObject();
            item.put("name", name);
            item.set(
                "extension", extension == null ? JsonNodeFactory.instance.nullNode() : extension);
          });
    }
    return v1;
  }

  private static JsonNode namedList(Map<String, Entry> entries, String valueName) {
    if (entries.isEmpty()) {
      return JsonNodeFactory.instance.nullNode();
    }
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    entries.forEach(
        (name, entry) -> {
          ObjectNode item = list.addObject();
          item.put("name", name);
          item.set(valueName, entry.value());
        });
    return list;
  }

  /** The file text kubectl writes for this config. */
  String toYaml() {
    return GoYaml.write(toV1());
  }
}
