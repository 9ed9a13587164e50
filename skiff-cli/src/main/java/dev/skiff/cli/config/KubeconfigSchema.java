package dev.skiff.cli.config;

import dev.skiff.api.Json;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The fields of kubeconfig (clientcmd v1) entries, in the order Go serializes them, with their
 * omitempty rules. Normalizing a parsed entry drops unknown fields, fills fields that Go always
 * writes ({@code server: ""}, {@code args: null}) and canonicalizes base64 data, so that two
 * entries are equal exactly when kubectl would find them deeply equal.
 */
final class KubeconfigSchema {
  enum Type {
    STRING,
    BOOL,
    BYTES,
    STRINGS,
    STRING_MAP,
    STRINGS_MAP,
    EXTENSIONS,
    ENV,
    AUTH_PROVIDER,
    EXEC
  }

  record Field(String name, Type type, boolean omitEmpty) {}

  record Struct(String goName, List<Field> fields) {
    Field field(String name) {
      for (Field field : fields) {
        if (field.name().equals(name)) {
          return field;
        }
      }
      return null;
    }
  }

  static final Struct CLUSTER =
      new Struct(
          "Cluster",
          List.of(
              new Field("server", Type.STRING, false),
              new Field("tls-server-name", Type.STRING, true),
              new Field("insecure-skip-tls-verify", Type.BOOL, true),
              new Field("certificate-authority", Type.STRING, true),
              new Field("certificate-authority-data", Type.BYTES, true),
              new Field("proxy-url", Type.STRING, true),
              new Field("disable-compression", Type.BOOL, true),
              new Field("extensions", Type.EXTENSIONS, true)));

  static final Struct CONTEXT =
      new Struct(
          "Context",
          List.of(
              new Field("cluster", Type.STRING, false),
              new Field("user", Type.STRING, false),
              new Field("namespace", Type.STRING, true),
              new Field("extensions", Type.EXTENSIONS, true)));

  static final Struct USER =
      new Struct(
          "AuthInfo",
          List.of(
              new Field("client-certificate", Type.STRING, true),
              new Field("client-certificate-data", Type.BYTES, true),
              new Field("client-key", Type.STRING, true),
              new Field("client-key-data", Type.BYTES, true),
              new Field("token", Type.STRING, true),
              new Field("tokenFile", Type.STRING, true),
              new Field("as", Type.STRING, true),
              new Field("as-uid", Type.STRING, true),
              new Field("as-groups", Type.STRINGS, true),
              new Field("as-user-extra", Type.STRINGS_MAP, true),
              new Field("username", Type.STRING, true),
              new Field("password", Type.STRING, true),
              new Field("auth-provider", Type.AUTH_PROVIDER, true),
              new Field("exec", Type.EXEC, true),
              new Field("extensions", Type.EXTENSIONS, true)));

  static final Struct PREFERENCES =
      new Struct(
          "Preferences",
          List.of(
              new Field("colors", Type.BOOL, true),
              new Field("extensions", Type.EXTENSIONS, true)));

  static final Struct AUTH_PROVIDER =
      new Struct(
          "AuthProviderConfig",
          List.of(
              new Field("name", Type.STRING, false), new Field("config", Type.STRING_MAP, false)));

  static final Struct EXEC =
      new Struct(
          "ExecConfig",
          List.of(
              new Field("command", Type.STRING, false),
              new Field("args", Type.STRINGS, false),
              new Field("env", Type.ENV, false),
              new Field("apiVersion", Type.STRING, true),
              new Field("installHint", Type.STRING, true),
              new Field("provideClusterInfo", Type.BOOL, false),
              new Field("interactiveMode", Type.STRING, true)));

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private KubeconfigSchema() {}

  /** The canonical form of {@code raw} (may be null) as a {@code struct}. */
  static ObjectNode normalize(JsonNode raw, Struct struct, String path) {
    if (raw != null && !raw.isNull() && !raw.isObject()) {
      throw mismatch(raw, struct.goName(), path, "v1." + struct.goName());
    }
    ObjectNode result = Json.object();
    for (Field field : struct.fields()) {
      JsonNode value = raw == null ? null : raw.get(field.name());
      JsonNode normalized = value(value, field, struct, path + "." + field.name());
      if (!(field.omitEmpty() && empty(normalized))) {
        result.set(field.name(), normalized);
      }
    }
    return result;
  }

  static boolean empty(JsonNode value) {
    return value == null
        || value.isNull()
        || (value.isString() && value.asString().isEmpty())
        || (value.isBoolean() && !value.booleanValue())
        || ((value.isArray() || value.isObject()) && value.isEmpty());
  }

  private static JsonNode value(JsonNode value, Field field, Struct struct, String path) {
    boolean absent = value == null || value.isNull();
    String where = struct.goName() + "." + path;
    return switch (field.type()) {
      case STRING -> {
        if (absent) {
          yield NODES.stringNode("");
        }
        if (!value.isString()) {
          throw mismatch(value, struct.goName(), path, "string");
        }
        yield value;
      }
      case BOOL -> {
        if (absent) {
          yield NODES.booleanNode(false);
        }
        if (!value.isBoolean()) {
          throw mismatch(value, struct.goName(), path, "bool");
        }
        yield value;
      }
      case BYTES -> {
        if (absent) {
          yield NODES.stringNode("");
        }
        if (!value.isString()) {
          throw mismatch(value, struct.goName(), path, "[]uint8");
        }
        yield NODES.stringNode(canonicalBase64(value.asString()));
      }
      case STRINGS -> {
        if (absent) {
          yield NODES.nullNode();
        }
        if (!value.isArray()) {
          throw mismatch(value, struct.goName(), path, "[]string");
        }
        for (JsonNode item : value) {
          if (!item.isString()) {
            throw mismatch(item, struct.goName(), path, "string");
          }
        }
        yield value;
      }
      case STRING_MAP, STRINGS_MAP -> {
        if (absent) {
          yield NODES.nullNode();
        }
        if (!value.isObject()) {
          throw mismatch(value, struct.goName(), path, "map[string]string");
        }
        yield sorted((ObjectNode) value);
      }
      case EXTENSIONS -> extensions(value, where);
      case ENV -> {
        if (absent) {
          yield NODES.nullNode();
        }
        if (!value.isArray()) {
          throw mismatch(value, struct.goName(), path, "[]v1.ExecEnvVar");
        }
        ArrayNode env = NODES.arrayNode();
        for (JsonNode item : value) {
          ObjectNode variable = Json.object();
          variable.set(
              "name", value(item.get("name"), new Field("name", Type.STRING, false), struct, path));
          variable.set(
              "value",
              value(item.get("value"), new Field("value", Type.STRING, false), struct, path));
          env.add(variable);
        }
        yield env;
      }
      case AUTH_PROVIDER -> absent ? null : normalize(value, AUTH_PROVIDER, path);
      case EXEC -> absent ? null : normalize(value, EXEC, path);
    };
  }

  /** Named extensions: kept as a list sorted by name, as the internal map gives them back. */
  private static JsonNode extensions(JsonNode value, String where) {
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isArray()) {
      throw new ConfigException(
          "json: cannot unmarshal object into Go struct field "
              + where
              + " of type []v1.NamedExtension");
    }
    Map<String, JsonNode> byName = new TreeMap<>();
    for (JsonNode item : value) {
      String name = item.path("name").asString("");
      if (byName.containsKey(name)) {
        throw new ConfigException("duplicate name \"" + name + "\" in list");
      }
      byName.put(name, item.get("extension"));
    }
    ArrayNode list = NODES.arrayNode();
    byName.forEach(
        (name, extension) -> {
          ObjectNode item = list.addObject();
          item.put("name", name);
          item.set("extension", extension == null ? NODES.nullNode() : extension);
        });
    return list;
  }

  private static ObjectNode sorted(ObjectNode map) {
    Map<String, JsonNode> entries = new TreeMap<>();
    for (Map.Entry<String, JsonNode> entry : map.properties()) {
      entries.put(entry.getKey(), entry.getValue());
    }
    ObjectNode result = Json.object();
    entries.forEach(result::set);
    return result;
  }

  /** Base64 as Go writes it back: standard alphabet with padding. */
  static String canonicalBase64(String text) {
    return Base64.getEncoder().encodeToString(decodeBase64(text));
  }

  static byte[] decodeBase64(String text) {
    String compact = text.replace("\n", "").replace("\r", "");
    for (int i = 0; i < compact.length(); i++) {
      char c = compact.charAt(i);
      boolean alphabet =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/'
              || c == '=';
      if (!alphabet) {
        throw new ConfigException("illegal base64 data at input byte " + i);
      }
    }
    try {
      return Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "illegal base64 data at input byte " + Math.max(0, compact.length() - 1));
    }
  }

  private static ConfigException mismatch(
      JsonNode value, String struct, String path, String goType) {
    String kind =
        value.isString()
            ? "string"
            : value.isNumber()
                ? "number"
                : value.isBoolean() ? "bool" : value.isArray() ? "array" : "object";
    return new ConfigException(
        "json: cannot unmarshal "
            + kind
            + " into Go struct field "
            + struct
            + "."
            + path
            + " of type "
            + goType);
  }
}
