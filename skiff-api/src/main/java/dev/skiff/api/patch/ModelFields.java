package dev.skiff.api.patch;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JSON structure of a fabric8 model class found by reflection: for each JSON field name, the
 * class of the object it holds, or of a list's elements, or of a map's values. Strategic merge
 * walks the patch with it to find each nested field's {@link PatchMeta}.
 */
final class ModelFields {
  private static final Map<Class<?>, Map<String, Class<?>>> CACHE = new ConcurrentHashMap<>();

  private ModelFields() {}

  /**
   * The model class of the values under a JSON field: the field's type for objects, the element
   * type for lists, the value type for maps; empty if unknown or not a model object.
   */
  static Optional<Class<?>> valueClass(Class<?> owner, String jsonField) {
    if (owner == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(fields(owner).get(jsonField));
  }

  private static Map<String, Class<?>> fields(Class<?> owner) {
    return CACHE.computeIfAbsent(owner, ModelFields::scan);
  }

  private static Map<String, Class<?>> scan(Class<?> owner) {
    Map<String, Class<?>> result = new HashMap<>();
    for (Class<?> c = owner; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (f.isAnnotationPresent(JsonIgnore.class)) {
          continue;
        }
        JsonProperty property = f.getAnnotation(JsonProperty.class);
        if (property == null) {
          continue;
        }
        String name = property.value().isEmpty() ? f.getName() : property.value();
        Class<?> value = modelClassOf(f.getGenericType());
        if (value != null) {
          result.putIfAbsent(name, value);
        }
      }
    }
    return result;
  }

  private static Class<?> modelClassOf(Type type) {
    if (type instanceof Class<?> c) {
      return isModel(c) ? c : null;
    }
    if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
      Type[] args = p.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw) && args.length == 1) {
        return modelClassOf(args[0]);
      }
      if (Map.class.isAssignableFrom(raw) && args.length == 2) {
        return modelClassOf(args[1]);
      }
    }
    return null;
  }

  private static boolean isModel(Class<?> c) {
    return c.getName().startsWith("io.fabric8.kubernetes.api.model.") && !c.isEnum();
  }
}
