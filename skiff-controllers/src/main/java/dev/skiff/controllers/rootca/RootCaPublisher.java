package dev.skiff.controllers.rootca;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Publishes the cluster CA as the kube-root-ca.crt ConfigMap (key ca.crt) in every active
 * namespace, restoring it when it is deleted or edited. Keys are namespace names.
 */
public final class RootCaPublisher implements Reconciler {
  public static final String CONFIG_MAP = "kube-root-ca.crt";
  public static final String KEY = "ca.crt";
  static final String DESCRIPTION_ANNOTATION = "kubernetes.io/description";
  static final String DESCRIPTION =
      "The cluster CA bundle, for verifying the API server through its in-cluster addresses.";

  /** The publisher's writes. */
  public interface ConfigMapWriter {
    void create(ConfigMap configMap);

    void update(ConfigMap configMap);
  }

  private final Indexer<Namespace> namespaces;
  private final Indexer<ConfigMap> configMaps;
  private final ConfigMapWriter writer;
  private final String caPem;
  private final RateLimitingQueue<ObjectKey> queue;

  public RootCaPublisher(
      Indexer<Namespace> namespaces,
      Indexer<ConfigMap> configMaps,
      ConfigMapWriter writer,
      String caPem,
      RateLimitingQueue<ObjectKey> queue) {
    this.namespaces = namespaces;
    this.configMaps = configMaps;
    this.writer = writer;
    this.caPem = caPem;
    this.queue = queue;
  }

  public ResourceEventHandler<Namespace> namespaceHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Namespace ns) {
        queue.add(ObjectKey.clusterScoped(ns.getMetadata().getName()));
      }

      @Override
      public void onUpdate(Namespace oldNs, Namespace newNs) {
        queue.add(ObjectKey.clusterScoped(newNs.getMetadata().getName()));
      }

      @Override
      public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {}
    };
  }

  public ResourceEventHandler<ConfigMap> configMapHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap cm) {}

      @Override
      public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
        enqueue(newCm);
      }

      @Override
      public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
        enqueue(cm);
      }
    };
  }

  private void enqueue(ConfigMap cm) {
    if (CONFIG_MAP.equals(cm.getMetadata().getName())) {
      queue.add(ObjectKey.clusterScoped(cm.getMetadata().getNamespace()));
    }
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Namespace ns = namespaces.getByKey(key.name());
    if (ns == null
        || ns.getMetadata().getDeletionTimestamp() != null
        || (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase()))) {
      return Result.done();
    }
    ConfigMap existing = configMaps.getByKey(key.name() + "/" + CONFIG_MAP);
    Map<String, String> data = Map.of(KEY, caPem);
    try {
      if (existing == null) {
        writer.create(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withNamespace(key.name())
                .withName(CONFIG_MAP)
                .withAnnotations(Map.of(DESCRIPTION_ANNOTATION, DESCRIPTION))
                .endMetadata()
                .withData(data)
                .build());
        return Result.done();
      }
      boolean annotated =
          existing.getMetadata().getAnnotations() != null
              && existing.getMetadata().getAnnotations().containsKey(DESCRIPTION_ANNOTATION);
      if (Objects.equals(existing.getData(), data)
          && (existing.getBinaryData() == null || existing.getBinaryData().isEmpty())
          && annotated) {
        return Result.done();
      }
      ConfigMap fixed = Json.MAPPER.convertValue(existing, ConfigMap.class);
      fixed.setData(data);
      fixed.setBinaryData(null);
      Map<String, String> annotations =
          fixed.getMetadata().getAnnotations() == null
              ? new HashMap<>()
              : new HashMap<>(fixed.getMetadata().getAnnotations());
      annotations.putIfAbsent(DESCRIPTION_ANNOTATION, DESCRIPTION);
      fixed.getMetadata().setAnnotations(annotations);
      writer.update(fixed);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409 && e.getCode() != 403 && e.getCode() != 404) {
        throw e;
      }
      if (e.getCode() == 409) {
        return Result.requeue();
      }
    }
    return Result.done();
  }
}
