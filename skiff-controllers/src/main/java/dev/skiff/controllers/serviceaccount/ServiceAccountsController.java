package dev.skiff.controllers.serviceaccount;

import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.function.Consumer;

/**
 * Makes sure every active namespace has the "default" ServiceAccount, recreating it when deleted.
 * Keys are namespace names.
 */
public final class ServiceAccountsController implements Reconciler {
  static final String DEFAULT = "default";

  private final Indexer<Namespace> namespaces;
  private final Indexer<ServiceAccount> serviceAccounts;
  private final Consumer<ServiceAccount> create;
  private final RateLimitingQueue<ObjectKey> queue;

  public ServiceAccountsController(
      Indexer<Namespace> namespaces,
      Indexer<ServiceAccount> serviceAccounts,
      Consumer<ServiceAccount> create,
      RateLimitingQueue<ObjectKey> queue) {
    this.namespaces = namespaces;
    this.serviceAccounts = serviceAccounts;
    this.create = create;
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

  public ResourceEventHandler<ServiceAccount> serviceAccountHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(ServiceAccount sa) {}

      @Override
      public void onUpdate(ServiceAccount oldSa, ServiceAccount newSa) {}

      @Override
      public void onDelete(ServiceAccount sa, boolean deletedFinalStateUnknown) {
        if (DEFAULT.equals(sa.getMetadata().getName())) {
          queue.add(ObjectKey.clusterScoped(sa.getMetadata().getNamespace()));
        }
      }
    };
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Namespace ns = namespaces.getByKey(key.name());
    if (ns == null
        || ns.getMetadata().getDeletionTimestamp() != null
        || (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase()))) {
      return Result.done();
    }
    if (serviceAccounts.getByKey(key.name() + "/" + DEFAULT) != null) {
      return Result.done();
    }
    try {
      create.accept(
          new ServiceAccountBuilder()
              .withNewMetadata()
              .withNamespace(key.name())
              .withName(DEFAULT)
              .endMetadata()
              .build());
    } catch (KubernetesClientException e) {
      // 409: it exists already; 403 while the namespace is terminating: nothing to do
      if (e.getCode() != 409 && e.getCode() != 403) {
        throw e;
      }
    }
    return Result.done();
  }
}
