package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Create, update (guarded by resourceVersion) and delete of one kind of object. */
public interface ObjectWriter<T extends HasMetadata> {
  T create(T object);

  T update(T object);

  void delete(T object);

  /** Writes through the API with the generic fabric8 resource DSL. */
  static <T extends HasMetadata> ObjectWriter<T> of(KubernetesClient client) {
    return new ObjectWriter<>() {
      @Override
      public T create(T object) {
        return client.resource(object).create();
      }

      @Override
      public T update(T object) {
        return client.resource(object).update();
      }

      @Override
      public void delete(T object) {
        client.resource(object).delete();
      }
    };
  }
}
