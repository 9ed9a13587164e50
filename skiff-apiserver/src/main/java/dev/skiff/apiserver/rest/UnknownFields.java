package dev.skiff.apiserver.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Finds the fields of a request body that its fabric8 model class does not declare, as dotted paths
 * ("spec.foo", "spec.containers[0].bar"). Values of types without declared properties (maps,
 * quantities, IntOrString, raw extensions) are not descended into.
 */
final class UnknownFields {
  private static final Map<Class<?>, Map<String, Type>> PROPERTIES = new ConcurrentHashMap<>();

  private UnknownFields() {}

  static List<String> find(Class<?> model, ObjectNode body) {
    List<String> out = new ArrayList<>();
    walk(model, body, "", out);
    return out;
  }

  private static void walk(Type type, JsonNode node, String path, List<String> out) {
    if (node == null || node.isNull()) {
      return;
    }
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] args = parameterized.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw) && node.isArray()) {
        for (int i = 0; i < node.size(); i++) {
          walk(args[0], node.get(i), path + "[" + i + "]", out);
        }
      } else if (Map.class.isAssignableFrom(raw) && node.isObject() && args.length == 2) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          walk(args[1], e.getValue(), path + "[" + e.getKey() + "]", out);
        }
      }
      return;
    }
    if (!(type instanceof Class<?> cls) || !node.isObject()) {
      return;
    }
    Map<String, Type> properties = properties(cls);
    if (properties.isEmpty()) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      Type fieldType = properties.get(e.getKey());
      if (fieldType == null) {
        out.add(child);
      } else {
        walk(fieldType, e.getValue(), child, out);
      }
    }
  }

  private static Map<String, Type> properties(Class<?> cls) {
    return PROPERTIES.computeIfAbsent(
        cls,
        c -> {
          Map<String, Type> map = new HashMap<>();
          if (!c.getName().startsWith("io.fabric8.kubernetes.api.model")
              || c.getSimpleName().equals("IntOrString")
              || c.getSimpleName().equals("Quantity")) {
            return map;
          }
          for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field field : k.getDeclaredFields()) {
              JsonProperty property = field.getAnnotation(JsonProperty.class);
              if (property != null && !property.value().isEmpty()) {
                map.putIfAbsent(property.value(), field.getGenericType());
              }
            }
          }
          return map;
        });
  }
}
