package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The shared informer factory of the controller manager: one informer (one list+watch, one cache)
 * per resource type, shared by every controller that reads it. Informers are created on first
 * request and started together by {@link #start()}.
 */
public final class Informers implements AutoCloseable {
  /** Index of objects by the uid of their controller owner reference. */
  public static final String BY_CONTROLLER_UID = "byControllerUid";

  private final KubernetesClient client;
  private final Map<Class<?>, SharedIndexInformer<?>> informers = new LinkedHashMap<>();
  private boolean started;

  public Informers(KubernetesClient client) {
    this.client = client;
  }

  @SuppressWarnings("unchecked")
  public synchronized <T extends HasMetadata> SharedIndexInformer<T> forType(Class<T> type) {
    SharedIndexInformer<?> existing = informers.get(type);
    if (existing != null) {
      return (SharedIndexInformer<T>) existing;
    }
    SharedIndexInformer<T> informer = client.resources(type).inAnyNamespace().runnableInformer(0);
    informer.addIndexers(Map.of(BY_CONTROLLER_UID, Informers::controllerUid));
    informers.put(type, informer);
    if (started) {
      informer.start();
    }
    return informer;
  }

  /** The uid of the object's controller owner, as a one-element index value list. */
  public static List<String> controllerUid(HasMetadata object) {
    List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
    if (owners == null) {
      return List.of();
    }
    for (OwnerReference owner : owners) {
      if (Boolean.TRUE.equals(owner.getController())) {
        return List.of(owner.getUid());
      }
    }
    return List.of();
  }

  /** An index function over an extractor, for {@link SharedIndexInformer#addIndexers}. */
  public static <T> Map<String, Function<T, List<String>>> index(
      String name, Function<T, List<String>> extractor) {
    return Map.of(name, extractor);
  }

  public synchronized void start() {
    started = true;
    informers.values().forEach(SharedIndexInformer::start);
  }

  public synchronized boolean hasSynced() {
    return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
  }

  @Override
  public synchronized void close() {
    informers.values().forEach(SharedIndexInformer::stop);
    started = false;
  }
}
