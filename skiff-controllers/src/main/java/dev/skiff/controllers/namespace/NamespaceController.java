package dev.skiff.controllers.namespace;

import dev.skiff.api.Json;
import dev.skiff.client.Timestamps;
import dev.skiff.controllers.runtime.DiscoveredResource;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Empties a Terminating namespace: deletes every namespaced resource found through discovery,
 * reports progress in the namespace's conditions, and once nothing is left removes the "kubernetes"
 * finalizer through the finalize subresource so the API server can delete it.
 */
public final class NamespaceController implements Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceController.class);
  static final String FINALIZER = "kubernetes";
  static final Duration RECHECK = Duration.ofSeconds(2);

  private final Indexer<Namespace> namespaces;
  private final NamespaceContent content;
  private final NamespaceWriter writer;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  public NamespaceController(
      Indexer<Namespace> namespaces,
      NamespaceContent content,
      NamespaceWriter writer,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.namespaces = namespaces;
    this.content = content;
    this.writer = writer;
    this.queue = queue;
    this.clock = clock;
  }

  public ResourceEventHandler<Namespace> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Namespace ns) {
        enqueueIfDeleting(ns);
      }

      @Override
      public void onUpdate(Namespace oldNs, Namespace newNs) {
        enqueueIfDeleting(newNs);
      }

      @Override
      public void onDelete(Namespace ns, boolean deletedFinalStateUnknown) {}
    };
  }

  private void enqueueIfDeleting(Namespace ns) {
    if (ns.getMetadata().getDeletionTimestamp() != null) {
      queue.add(ObjectKey.clusterScoped(ns.getMetadata().getName()));
    }
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Namespace cached = namespaces.getByKey(key.name());
    if (cached == null || cached.getMetadata().getDeletionTimestamp() == null) {
      return Result.done();
    }
    List<String> finalizers =
        cached.getSpec() == null || cached.getSpec().getFinalizers() == null
            ? List.of()
            : cached.getSpec().getFinalizers();
    if (!finalizers.contains(FINALIZER)) {
      return Result.done();
    }
    Namespace ns = Json.MAPPER.convertValue(cached, Namespace.class);
    String name = key.name();

    List<DiscoveredResource> resources;
    try {
      resources = content.namespacedResources();
    } catch (KubernetesClientException e) {
      setConditions(
          ns,
          condition("NamespaceDeletionDiscoveryFailure", "True", "DiscoveryFailed", e.getMessage()),
          null,
          null,
          null);
      throw e;
    }
    List<String> deleteErrors = new ArrayList<>();
    Map<String, Integer> remaining = new TreeMap<>();
    Map<String, Integer> finalizersRemaining = new TreeMap<>();
    for (DiscoveredResource resource : resources) {
      try {
        content.deleteAll(resource, name);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 && e.getCode() != 405) {
          deleteErrors.add(resource.groupResource() + ": " + e.getMessage());
        }
      }
      try {
        List<NamespaceContent.Item> left = content.list(resource, name);
        if (!left.isEmpty()) {
          remaining.put(resource.groupResource(), left.size());
          for (NamespaceContent.Item item : left) {
            for (String finalizer : item.finalizers()) {
              finalizersRemaining.merge(finalizer, 1, Integer::sum);
            }
          }
        }
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 && e.getCode() != 405) {
          deleteErrors.add(resource.groupResource() + ": " + e.getMessage());
        }
      }
    }

    NamespaceCondition contentFailure =
        deleteErrors.isEmpty()
            ? condition(
                "NamespaceDeletionContentFailure",
                "False",
                "ContentDeleted",
                "All content successfully deleted, may be waiting on finalization")
            : condition(
                "NamespaceDeletionContentFailure",
                "True",
                "ContentDeletionFailed",
                "Failed to delete all resource types, "
                    + deleteErrors.size()
                    + " remaining: "
                    + String.join(", ", deleteErrors));
    NamespaceCondition contentRemaining =
        remaining.isEmpty()
            ? condition(
                "NamespaceContentRemaining",
                "False",
                "ContentRemoved",
                "All content successfully removed")
            : condition(
                "NamespaceContentRemaining",
                "True",
                "SomeResourcesRemain",
                "Some resources are remaining: " + describe(remaining, "resource instances"));
    NamespaceCondition finalizersLeft =
        finalizersRemaining.isEmpty()
            ? condition(
                "NamespaceFinalizersRemaining",
                "False",
                "ContentHasNoFinalizers",
                "All content-preserving finalizers finished")
            : condition(
                "NamespaceFinalizersRemaining",
                "True",
                "SomeFinalizersRemain",
                "Some content in the namespace has finalizers remaining: "
                    + describeFinalizers(finalizersRemaining));
    ns =
        setConditions(
            ns,
            condition(
                "NamespaceDeletionDiscoveryFailure",
                "False",
                "ResourcesDiscovered",
                "All resources successfully discovered"),
            contentFailure,
            contentRemaining,
            finalizersLeft);
    if (!deleteErrors.isEmpty()) {
      throw new IllegalStateException("namespace " + name + ": " + String.join("; ", deleteErrors));
    }
    if (!remaining.isEmpty()) {
      LOG.info("namespace content remaining namespace={} remaining={}", name, remaining);
      return Result.requeueAfter(RECHECK);
    }
    Namespace finalized = Json.MAPPER.convertValue(cached, Namespace.class);
    List<String> kept = new ArrayList<>(finalizers);
    kept.remove(FINALIZER);
    finalized.getSpec().setFinalizers(kept);
    writer.finalize(finalized);
    LOG.info("namespace finalized namespace={}", name);
    return Result.done();
  }

  private static String describe(Map<String, Integer> counts, String unit) {
    List<String> parts = new ArrayList<>();
    counts.forEach((resource, count) -> parts.add(resource + " has " + count + " " + unit));
    return String.join(", ", parts);
  }

  private static String describeFinalizers(Map<String, Integer> counts) {
    List<String> parts = new ArrayList<>();
    counts.forEach(
        (finalizer, count) -> parts.add(finalizer + " in " + count + " resource instances"));
    return String.join(", ", parts);
  }

  private NamespaceCondition condition(String type, String status, String reason, String message) {
    NamespaceCondition condition = new NamespaceCondition();
    condition.setType(type);
    condition.setStatus(status);
    condition.setReason(reason);
    condition.setMessage(message);
    condition.setLastTransitionTime(Timestamps.time(clock.instant()));
    return condition;
  }

  /** Replaces the given conditions (nulls are left alone) and writes status if it changed. */
  private Namespace setConditions(Namespace ns, NamespaceCondition... conditions) {
    NamespaceStatus status = ns.getStatus() == null ? new NamespaceStatus() : ns.getStatus();
    List<NamespaceCondition> next =
        status.getConditions() == null
            ? new ArrayList<>()
            : new ArrayList<>(status.getConditions());
    boolean changed = false;
    for (NamespaceCondition condition : conditions) {
      if (condition == null) {
        continue;
      }
      NamespaceCondition existing =
          next.stream()
              .filter(c -> condition.getType().equals(c.getType()))
              .findFirst()
              .orElse(null);
      if (existing != null
          && Objects.equals(existing.getStatus(), condition.getStatus())
          && Objects.equals(existing.getReason(), condition.getReason())
          && Objects.equals(existing.getMessage(), condition.getMessage())) {
        continue;
      }
      if (existing != null && Objects.equals(existing.getStatus(), condition.getStatus())) {
        condition.setLastTransitionTime(existing.getLastTransitionTime());
      }
      next.remove(existing);
      next.add(condition);
      changed = true;
    }
    if (!changed) {
      return ns;
    }
    status.setConditions(next);
    if (status.getPhase() == null) {
      status.setPhase("Terminating");
    }
    ns.setStatus(status);
    writer.updateStatus(ns);
    return ns;
  }
}
