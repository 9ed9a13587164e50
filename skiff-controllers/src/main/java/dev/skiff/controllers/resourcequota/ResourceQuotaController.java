package dev.skiff.controllers.resourcequota;

import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatus;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The ResourceQuota status controller: status.hard is spec.hard and status.used the namespace's
 * usage of each resource named there. Quotas of a namespace are resynced when its pods, services,
 * configmaps, secrets or claims change, and every {@link #RESYNC}.
 */
public final class ResourceQuotaController implements Reconciler {
  static final Duration RESYNC = Duration.ofMinutes(5);

  private final Indexer<ResourceQuota> quotas;
  private final Indexer<Pod> pods;
  private final Indexer<Service> services;
  private final Indexer<ConfigMap> configMaps;
  private final Indexer<Secret> secrets;
  private final Indexer<PersistentVolumeClaim> claims;
  private final Consumer<ResourceQuota> statusWriter;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  public ResourceQuotaController(
      Indexer<ResourceQuota> quotas,
      Indexer<Pod> pods,
      Indexer<Service> services,
      Indexer<ConfigMap> configMaps,
      Indexer<Secret> secrets,
      Indexer<PersistentVolumeClaim> claims,
      Consumer<ResourceQuota> statusWriter,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.quotas = quotas;
    this.pods = pods;
    this.services = services;
    this.configMaps = configMaps;
    this.secrets = secrets;
    this.claims = claims;
    this.statusWriter = statusWriter;
    this.queue = queue;
    this.clock = clock;
  }

  @Override
  public Result reconcile(ObjectKey key) {
    ResourceQuota quota = quotas.getByKey(key.cacheKey());
    if (quota == null) {
      return Result.done();
    }
    String ns = key.namespace();
    Map<String, Quantity> hard =
        quota.getSpec() == null || quota.getSpec().getHard() == null
            ? Map.of()
            : quota.getSpec().getHard();
    Map<String, String> used =
        QuotaUsage.used(
            hard,
            new QuotaUsage.Namespace(
                pods.byIndex(Cache.NAMESPACE_INDEX, ns),
                services.byIndex(Cache.NAMESPACE_INDEX, ns),
                configMaps.byIndex(Cache.NAMESPACE_INDEX, ns).size(),
                secrets.byIndex(Cache.NAMESPACE_INDEX, ns).size(),
                claims.byIndex(Cache.NAMESPACE_INDEX, ns)),
            clock.instant());
    Map<String, String> hardText = new TreeMap<>();
    hard.forEach((k, v) -> hardText.put(k, v.toString()));
    if (!hardText.equals(texts(quota.getStatus() == null ? null : quota.getStatus().getHard()))
        || !used.equals(texts(quota.getStatus() == null ? null : quota.getStatus().getUsed()))) {
      ResourceQuotaStatus status = new ResourceQuotaStatus();
      status.setHard(quantities(hardText));
      status.setUsed(quantities(used));
      statusWriter.accept(new ResourceQuotaBuilder(quota).withStatus(status).build());
    }
    return Result.requeueAfter(RESYNC);
  }

  private static Map<String, String> texts(Map<String, Quantity> map) {
    Map<String, String> out = new TreeMap<>();
    if (map != null) {
      map.forEach((k, v) -> out.put(k, v.toString()));
    }
    return out;
  }

  private static Map<String, Quantity> quantities(Map<String, String> map) {
    Map<String, Quantity> out = new TreeMap<>();
    map.forEach((k, v) -> out.put(k, new Quantity(v)));
    return out;
  }

  public ResourceEventHandler<ResourceQuota> quotaHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(ResourceQuota quota) {
        queue.add(ObjectKey.of(quota));
      }

      @Override
      public void onUpdate(ResourceQuota old, ResourceQuota quota) {
        if (!Objects.equals(old.getSpec(), quota.getSpec())
            || !Objects.equals(old.getStatus(), quota.getStatus())) {
          queue.add(ObjectKey.of(quota));
        }
      }

      @Override
      public void onDelete(ResourceQuota quota, boolean unknown) {}
    };
  }

  /** A handler enqueueing the quotas of the namespace of any changed object. */
  public <T extends HasMetadata> ResourceEventHandler<T> usageHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        enqueueNamespace(object);
      }

      @Override
      public void onUpdate(T old, T object) {
        enqueueNamespace(object);
      }

      @Override
      public void onDelete(T object, boolean unknown) {
        enqueueNamespace(object);
      }
    };
  }

  private void enqueueNamespace(HasMetadata object) {
    for (ResourceQuota quota :
        quotas.byIndex(Cache.NAMESPACE_INDEX, object.getMetadata().getNamespace())) {
      queue.add(ObjectKey.of(quota));
    }
  }
}
