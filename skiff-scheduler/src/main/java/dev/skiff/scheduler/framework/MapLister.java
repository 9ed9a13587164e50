package dev.skiff.scheduler.framework;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link Lister} over objects put into it directly. */
public final class MapLister<T extends HasMetadata> implements Lister<T> {
  private final Map<String, T> objects = new ConcurrentHashMap<>();

  @SafeVarargs
  public static <T extends HasMetadata> MapLister<T> of(T... items) {
    MapLister<T> lister = new MapLister<>();
    for (T item : items) {
      lister.put(item);
    }
    return lister;
  }

  public void put(T object) {
    objects.put(key(object.getMetadata().getNamespace(), object.getMetadata().getName()), object);
  }

  public void remove(T object) {
    objects.remove(key(object.getMetadata().getNamespace(), object.getMetadata().getName()));
  }

  @Override
  public T get(String namespace, String name) {
    return objects.get(key(namespace, name));
  }

  @Override
  public List<T> list(String namespace) {
    List<T> out = new ArrayList<>();
    for (T o : objects.values()) {
      if (namespace == null || namespace.equals(o.getMetadata().getNamespace())) {
        out.add(o);
      }
    }
    return out;
  }

  private static String key(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
