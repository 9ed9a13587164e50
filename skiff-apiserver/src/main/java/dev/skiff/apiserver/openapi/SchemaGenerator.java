package dev.skiff.apiserver.openapi;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.skiff.api.Json;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds OpenAPI schemas by reflecting over fabric8 model classes: each {@code @JsonProperty} field
 * becomes a property (strings, int32/int64 integers, booleans, numbers, string maps, arrays, and
 * {@code $ref}s to nested model types), with Kubernetes' quantity, int-or-string and time types,
 * the strategic-merge extensions of patched fields, and our own short descriptions where we have
 * them. Schemas are built once per class and shared.
 */
final class SchemaGenerator {
  /** How references are written: Swagger 2.0 puts siblings beside $ref, OpenAPI 3 uses allOf. */
  enum Dialect {
    V2("#/definitions/"),
    V3("#/components/schemas/");

    final String refPrefix;

    Dialect(String refPrefix) {
      this.refPrefix = refPrefix;
    }
  }

  private final Dialect dialect;
  private final PatchTags.Lookup patchTags;
  private final Map<String, ArrayNode> groupVersionKinds;
  private final Map<Class<?>, Built> built = new HashMap<>();

  /** One class's schema and the model classes it references. */
  private record Built(String name, ObjectNode schema, List<Class<?>> references) {}

  /**
   * @param groupVersionKinds definition name to its x-kubernetes-group-version-kind entries
   */
  SchemaGenerator(
      Dialect dialect, PatchTags.Lookup patchTags, Map<String, ArrayNode> groupVersionKinds) {
    this.dialect = dialect;
    this.patchTags = patchTags;
    this.groupVersionKinds = groupVersionKinds;
  }

  /** The reference to a model class's definition, e.g. {@code #/definitions/io.k8s.api...}. */
  String ref(Class<?> type) {
    return dialect.refPrefix + DefinitionNames.of(type);
  }

  /** Adds the definitions of {@code roots} and of everything they reference to {@code target}. */
  synchronized void collect(Collection<Class<?>> roots, Map<String, ObjectNode> target) {
    Deque<Class<?>> pending = new ArrayDeque<>(roots);
    while (!pending.isEmpty()) {
      Class<?> type = pending.pop();
      String name = DefinitionNames.of(type);
      if (target.containsKey(name)) {
        continue;
      }
      Built b = build(type);
      target.put(name, b.schema());
      pending.addAll(b.references());
    }
  }

  private Built build(Class<?> type) {
    Built existing = built.get(type);
    if (existing != null) {
      return existing;
    }
    String name = DefinitionNames.of(type);
    List<Class<?>> references = new java.util.ArrayList<>();
    ObjectNode schema = Json.object();
    switch (name) {
      case DefinitionNames.QUANTITY -> schema.put("type", "string");
      case DefinitionNames.INT_OR_STRING -> {
        schema.put("type", "string");
        schema.put("format", "int-or-string");
        schema.put("x-kubernetes-int-or-string", true);
      }
      default -> {
        String description = Descriptions.ofType(type.getSimpleName());
        if (description != null) {
          schema.put("description", description);
        }
        schema.put("type", "object");
        Map<String, ObjectNode> properties = new TreeMap<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
          for (Field field : c.getDeclaredFields()) {
            JsonProperty property = field.getAnnotation(JsonProperty.class);
            if (property == null
                || Modifier.isStatic(field.getModifiers())
                || property.value().isEmpty()
                || properties.containsKey(property.value())) {
              continue;
            }
            properties.put(
                property.value(),
                property(type, property.value(), field.getGenericType(), references));
          }
        }
        if (!properties.isEmpty()) {
          ObjectNode props = schema.putObject("properties");
          properties.forEach(props::set);
          List<String> required =
              Descriptions.requiredOf(type.getSimpleName()).stream()
                  .filter(properties::containsKey)
                  .toList();
          if (!required.isEmpty()) {
            ArrayNode array = schema.putArray("required");
            required.forEach(array::add);
          }
        }
        ArrayNode gvk = groupVersionKinds.get(name);
        if (gvk != null) {
          schema.set("x-kubernetes-group-version-kind", gvk.deepCopy());
        }
      }
    }
    Built b = new Built(name, schema, List.copyOf(references));
    built.put(type, b);
    return b;
  }

  private ObjectNode property(
      Class<?> owner, String jsonName, Type type, List<Class<?>> references) {
    ObjectNode schema = schemaOf(type, jsonName, references);
    ObjectNode extras = Json.object();
    String description = Descriptions.ofField(owner.getSimpleName(), jsonName);
    if (description != null) {
      extras.put("description", description);
    }
    Optional<PatchTags> tags = patchTags.of(owner, jsonName);
    if (tags.isPresent()) {
      PatchTags t = tags.get();
      if (!t.mergeKey().isEmpty()) {
        extras.put("x-kubernetes-patch-merge-key", t.mergeKey());
      }
      extras.put("x-kubernetes-patch-strategy", t.strategy());
      if (schema.path("type").asString("").equals("array") && t.strategy().contains("merge")) {
        if (t.mergeKey().isEmpty()) {
          extras.put("x-kubernetes-list-type", "set");
        } else {
          extras.put("x-kubernetes-list-type", "map");
          ArrayNode keys = extras.putArray("x-kubernetes-list-map-keys");
          keys.add(t.mergeKey());
          if (jsonName.equals("ports")
              && (t.mergeKey().equals("containerPort") || t.mergeKey().equals("port"))) {
            keys.add("protocol");
          }
        }
      }
    }
    if (extras.isEmpty()) {
      return schema;
    }
    if (schema.has("$ref") && dialect == Dialect.V3) {
      ObjectNode wrapped = Json.object();
      wrapped.putArray("allOf").add(schema);
      wrapped.setAll(extras);
      return wrapped;
    }
    schema.setAll(extras);
    return schema;
  }

  private ObjectNode schemaOf(Type type, String jsonName, List<Class<?>> references) {
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] args = parameterized.getActualTypeArguments();
      if (Collection.class.isAssignableFrom(raw)) {
        ObjectNode array = Json.object();
        array.put("type", "array");
        array.set("items", schemaOf(args[0], "", references));
        return array;
      }
      if (Map.class.isAssignableFrom(raw)) {
        ObjectNode map = Json.object();
        map.put("type", "object");
        map.set("additionalProperties", schemaOf(args[1], "", references));
        return map;
      }
      return schemaOf(raw, jsonName, references);
    }
    if (type instanceof WildcardType wildcard) {
      return schemaOf(wildcard.getUpperBounds()[0], jsonName, references);
    }
    if (!(type instanceof Class<?> c)) {
      return anything();
    }
    ObjectNode schema = Json.object();
    if (c == String.class) {
      schema.put("type", "string");
      if (isTimeField(jsonName)) {
        schema.put("format", "date-time");
      }
    } else if (c == Integer.class || c == int.class || c == Short.class || c == short.class) {
      schema.put("type", "integer");
      schema.put("format", "int32");
    } else if (c == Long.class || c == long.class) {
      schema.put("type", "integer");
      schema.put("format", "int64");
    } else if (c == Boolean.class || c == boolean.class) {
      schema.put("type", "boolean");
    } else if (c == Double.class || c == double.class || c == Float.class || c == float.class) {
      schema.put("type", "number");
      schema.put("format", "double");
    } else if (c.isEnum()) {
      schema.put("type", "string");
    } else if (c == byte[].class) {
      schema.put("type", "string");
      schema.put("format", "byte");
    } else if (Collection.class.isAssignableFrom(c)) {
      schema.put("type", "array");
      schema.set("items", anything());
    } else if (Map.class.isAssignableFrom(c)) {
      schema.put("type", "object");
    } else if (isModel(c)) {
      references.add(c);
      schema.put("$ref", ref(c));
    } else {
      return anything();
    }
    return schema;
  }

  private static boolean isModel(Class<?> c) {
    if (!c.getPackageName().startsWith("io.fabric8.kubernetes.api.model")
        || c.isInterface()
        || JsonNode.class.isAssignableFrom(c)) {
      return false;
    }
    String simple = c.getSimpleName();
    if (simple.endsWith("OrBool")
        || simple.endsWith("OrArray")
        || simple.endsWith("OrStringArray")) {
      return false;
    }
    return simple.equals("Quantity")
        || simple.equals("IntOrString")
        || !c.getSuperclass().getSimpleName().equals("AnyType") && !simple.equals("AnyType");
  }

  private static ObjectNode anything() {
    ObjectNode schema = Json.object();
    schema.put("x-kubernetes-preserve-unknown-fields", true);
    return schema;
  }

  private static boolean isTimeField(String jsonName) {
    return jsonName.endsWith("Timestamp")
        || jsonName.endsWith("Time")
        || jsonName.equals("startedAt")
        || jsonName.equals("finishedAt");
  }
}
