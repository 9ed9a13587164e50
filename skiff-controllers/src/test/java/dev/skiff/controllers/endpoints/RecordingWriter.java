package dev.skiff.controllers.endpoints;

import dev.skiff.controllers.runtime.ObjectWriter;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;

/** Applies writes to a cache (as the informer would see them) and records them. */
final class RecordingWriter<T extends HasMetadata> implements ObjectWriter<T> {
  final List<String> writes = new ArrayList<>();
  private final CacheImpl<T> cache;
  private int sequence;

  RecordingWriter(CacheImpl<T> cache) {
    this.cache = cache;
  }

  @Override
  public T create(T object) {
    if (object.getMetadata().getName() == null) {
      object.getMetadata().setName(object.getMetadata().getGenerateName() + (++sequence));
    }
    writes.add("create " + object.getMetadata().getName());
    cache.put(object);
    return object;
  }

  @Override
  public T update(T object) {
    writes.add("update " + object.getMetadata().getName());
    cache.put(object);
    return object;
  }

  @Override
  public void delete(T object) {
    writes.add("delete " + object.getMetadata().getName());
    cache.remove(object);
  }
}
