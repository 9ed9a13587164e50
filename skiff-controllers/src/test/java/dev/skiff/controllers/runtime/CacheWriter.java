package dev.skiff.controllers.runtime;

import dev.skiff.api.Json;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** An {@link ObjectWriter} that applies writes to an informer cache, as a perfectly fast API. */
public final class CacheWriter<T extends HasMetadata> implements ObjectWriter<T> {
  private final CacheImpl<T> cache;
  private final Class<T> type;
  public final List<String> created = new ArrayList<>();
  public final List<String> updated = new ArrayList<>();
  public final List<String> deleted = new ArrayList<>();
  private int sequence;

  /** Called after each write, e.g. to feed a controller's event handlers as an informer would. */
  public Consumer<T> afterCreate = object -> {};

  public Consumer<T> afterDelete = object -> {};

  public CacheWriter(CacheImpl<T> cache, Class<T> type) {
    this.cache = cache;
    this.type = type;
  }

  private String key(T object) {
    return object.getMetadata().getNamespace() + "/" + object.getMetadata().getName();
  }

  @Override
  public synchronized T create(T object) {
    T copy = Json.MAPPER.convertValue(object, type);
    if (copy.getMetadata().getName() == null) {
      copy.getMetadata().setName(copy.getMetadata().getGenerateName() + (++sequence));
    }
    if (cache.getByKey(key(copy)) != null) {
      throw new KubernetesClientException("already exists", 409, null);
    }
    copy.getMetadata().setUid("uid-" + copy.getMetadata().getName());
    copy.getMetadata().setResourceVersion(Integer.toString(++sequence));
    cache.put(copy);
    created.add(copy.getMetadata().getName());
    afterCreate.accept(copy);
    return Json.MAPPER.convertValue(copy, type);
  }

  @Override
  public synchronized T update(T object) {
    T copy = Json.MAPPER.convertValue(object, type);
    copy.getMetadata().setResourceVersion(Integer.toString(++sequence));
    cache.put(copy);
    updated.add(copy.getMetadata().getName());
    return Json.MAPPER.convertValue(copy, type);
  }

  @Override
  public synchronized void delete(T object) {
    T existing = cache.getByKey(key(object));
    if (existing != null) {
      cache.remove(existing);
      afterDelete.accept(existing);
    }
    deleted.add(object.getMetadata().getName());
  }
}
