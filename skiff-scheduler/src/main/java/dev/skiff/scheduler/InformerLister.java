package dev.skiff.scheduler;

import dev.skiff.scheduler.framework.Lister;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;

/** A {@link Lister} over a fabric8 informer's store. */
final class InformerLister<T extends HasMetadata> implements Lister<T> {
  private final SharedIndexInformer<T> informer;

  InformerLister(SharedIndexInformer<T> informer) {
    this.informer = informer;
  }

  @Override
  public T get(String namespace, String name) {
    return informer.getStore().getByKey(namespace == null ? name : namespace + "/" + name);
  }

  @Override
  public List<T> list(String namespace) {
    List<T> all = informer.getStore().list();
    if (namespace == null) {
      return all;
    }
    List<T> out = new ArrayList<>();
    for (T o : all) {
      if (namespace.equals(o.getMetadata().getNamespace())) {
        out.add(o);
      }
    }
    return out;
  }
}
