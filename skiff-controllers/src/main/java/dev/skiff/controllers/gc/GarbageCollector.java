package dev.skiff.controllers.gc;

import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes objects whose owners are gone, and carries out the propagation policies of owner
 * deletion: background (dependents deleted after the owner), foreground (the owner waits, with the
 * foregroundDeletion finalizer, until its blocking dependents are gone) and orphan (dependents lose
 * the owner reference, then the orphan finalizer is removed). Keys carry object uids as names.
 */
public final class GarbageCollector implements Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

  private final OwnerGraph graph;
  private final GcClient client;
  private final RateLimitingQueue<ObjectKey> queue;
  private final Predicate<String> namespacedKind;

  /**
   * @param namespacedKind whether an "apiVersion/kind" names a namespaced resource (owners of a
   *     namespaced object live in its namespace unless cluster-scoped)
   */
  public GarbageCollector(
      OwnerGraph graph,
      GcClient client,
      RateLimitingQueue<ObjectKey> queue,
      Predicate<String> namespacedKind) {
    this.graph = graph;
    this.client = client;
    this.queue = queue;
    this.namespacedKind = namespacedKind;
  }

  // ---- graph events (no I/O) ----

  public void observed(GraphObject object) {
    GraphObject previous = graph.observe(object);
    if (object.deleting()
        && (object.finalizers().contains(GraphObject.ORPHAN)
            || object.finalizers().contains(GraphObject.FOREGROUND))) {
      enqueue(object.uid());
    }
    if (object.deletingDependents()) {
      graph.dependentsOf(object.uid()).forEach(d -> enqueue(d.uid()));
    }
    boolean ownersChanged = previous == null || !ownerUids(previous).equals(ownerUids(object));
    if (ownersChanged) {
      for (OwnerReference ref : object.ownerReferences()) {
        GraphObject owner = graph.get(ref.getUid());
        if (owner == null || owner.deleting()) {
          // an owner never seen (maybe absent) or going away: check this dependent
          enqueue(object.uid());
          break;
        }
      }
      if (previous != null) {
        // owners that lost this dependent may be waiting for it in foreground deletion
        for (OwnerReference ref : previous.ownerReferences()) {
          GraphObject owner = graph.get(ref.getUid());
          if (owner != null && owner.deletingDependents()) {
            enqueue(owner.uid());
          }
        }
      }
    }
  }

  public void removed(GraphObject object) {
    Set<String> dependents = graph.forget(object.uid());
    dependents.forEach(this::enqueue);
    for (OwnerReference ref : object.ownerReferences()) {
      GraphObject owner = graph.get(ref.getUid());
      if (owner != null && owner.deletingDependents()) {
        enqueue(owner.uid());
      }
    }
  }

  private void enqueue(String uid) {
    queue.add(ObjectKey.clusterScoped(uid));
  }

  private static Set<String> ownerUids(GraphObject object) {
    Set<String> uids = new HashSet<>();
    object.ownerReferences().forEach(ref -> uids.add(ref.getUid()));
    return uids;
  }

  // ---- reconcile ----

  @Override
  public Result reconcile(ObjectKey key) {
    GraphObject cached = graph.get(key.name());
    if (cached == null) {
      return Result.done();
    }
    Optional<GraphObject> live =
        client.get(cached.apiVersion(), cached.kind(), cached.namespace(), cached.name());
    if (live.isEmpty() || !Objects.equals(live.get().uid(), cached.uid())) {
      removed(cached);
      return Result.done();
    }
    GraphObject object = live.get();
    if (object.orphaningDependents()) {
      orphanDependents(object);
      return Result.done();
    }
    if (object.deletingDependents()) {
      return processDeletingDependents(object);
    }
    if (object.deleting() || object.ownerReferences().isEmpty()) {
      return Result.done();
    }
    return attemptToDelete(object);
  }

  private void orphanDependents(GraphObject owner) {
    for (GraphObject dependent : graph.dependentsOf(owner.uid())) {
      List<OwnerReference> kept =
          dependent.ownerReferences().stream()
              .filter(ref -> !Objects.equals(ref.getUid(), owner.uid()))
              .toList();
      try {
        client.patchOwnerReferences(dependent, kept);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
    client.removeFinalizer(owner, GraphObject.ORPHAN);
    LOG.info("orphaned dependents owner={}", owner.describe());
  }

  private Result processDeletingDependents(GraphObject owner) {
    List<GraphObject> blocking =
        graph.dependentsOf(owner.uid()).stream()
            .filter(
                dependent ->
                    dependent.ownerReferences().stream()
                        .anyMatch(
                            ref ->
                                Objects.equals(ref.getUid(), owner.uid())
                                    && Boolean.TRUE.equals(ref.getBlockOwnerDeletion())))
            .toList();
    if (blocking.isEmpty()) {
      client.removeFinalizer(owner, GraphObject.FOREGROUND);
      LOG.info("foreground deletion done owner={}", owner.describe());
      return Result.done();
    }
    for (GraphObject dependent : blocking) {
      if (!dependent.deletingDependents()) {
        enqueue(dependent.uid());
      }
    }
    return Result.done();
  }

  private enum OwnerState {
    SOLID,
    DANGLING,
    WAITING
  }

  private Result attemptToDelete(GraphObject object) {
    List<OwnerReference> solid = new ArrayList<>();
    List<OwnerReference> dangling = new ArrayList<>();
    List<OwnerReference> waiting = new ArrayList<>();
    for (OwnerReference ref : object.ownerReferences()) {
      switch (classify(object, ref)) {
        case SOLID -> solid.add(ref);
        case DANGLING -> dangling.add(ref);
        case WAITING -> waiting.add(ref);
      }
    }
    if (!solid.isEmpty()) {
      if (dangling.isEmpty() && waiting.isEmpty()) {
        return Result.done();
      }
      // still owned: only drop references to owners that are gone or going
      Set<String> drop = new HashSet<>();
      dangling.forEach(ref -> drop.add(ref.getUid()));
      waiting.forEach(ref -> drop.add(ref.getUid()));
      client.patchOwnerReferences(
          object,
          object.ownerReferences().stream().filter(ref -> !drop.contains(ref.getUid())).toList());
      return Result.done();
    }
    if (!waiting.isEmpty() && !graph.dependentsOf(object.uid()).isEmpty()) {
      // this object blocks a foreground deletion and has dependents of its own: unblock the
      // waiting owner, then delete this object in the foreground too
      List<OwnerReference> unblocked = new ArrayList<>();
      for (OwnerReference ref : object.ownerReferences()) {
        boolean isWaiting = waiting.stream().anyMatch(w -> w.getUid().equals(ref.getUid()));
        unblocked.add(
            isWaiting ? new OwnerReferenceBuilder(ref).withBlockOwnerDeletion(false).build() : ref);
      }
      client.patchOwnerReferences(object, unblocked);
      delete(object, "Foreground");
      return Result.done();
    }
    String policy;
    if (object.finalizers().contains(GraphObject.ORPHAN)) {
      policy = "Orphan";
    } else if (object.finalizers().contains(GraphObject.FOREGROUND)) {
      policy = "Foreground";
    } else {
      policy = "Background";
    }
    delete(object, policy);
    return Result.done();
  }

  private void delete(GraphObject object, String policy) {
    try {
      client.delete(object, policy);
      LOG.info("deleted dependent object={} policy={}", object.describe(), policy);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) {
        throw e;
      }
    }
  }

  private OwnerState classify(GraphObject dependent, OwnerReference ref) {
    GraphObject owner = graph.get(ref.getUid());
    if (owner == null) {
      String namespace =
          namespacedKind.test(ref.getApiVersion() + "/" + ref.getKind())
              ? dependent.namespace()
              : "";
      Optional<GraphObject> live =
          client.get(ref.getApiVersion(), ref.getKind(), namespace, ref.getName());
      if (live.isEmpty() || !Objects.equals(live.get().uid(), ref.getUid())) {
        return OwnerState.DANGLING;
      }
      owner = live.get();
    }
    return owner.deletingDependents() ? OwnerState.WAITING : OwnerState.SOLID;
  }
}
