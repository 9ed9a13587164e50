package dev.skiff.controllers.replicaset;

import dev.skiff.client.Timestamps;
import dev.skiff.controllers.pods.ActivePodsRanking;
import dev.skiff.controllers.pods.PodControl;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.ControllerRefManager;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import dev.skiff.controllers.runtime.Selectors;
import dev.skiff.controllers.runtime.SlowStart;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the number of pods of a ReplicaSet (or ReplicationController) at spec.replicas: claims pods
 * by selector and owner reference, creates missing pods in slow-start batches, deletes surplus pods
 * in Kubernetes' ranking order, and reports status. Expectations keep it from acting twice on a
 * cache that has not yet seen its own writes.
 */
public final class ReplicaSetController<T extends HasMetadata> implements Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetController.class);

  /** At most this many pods are created or deleted in one sync (Kubernetes' burstReplicas). */
  static final int BURST_REPLICAS = 500;

  private final ReplicaKind<T> kind;
  private final Indexer<T> sets;
  private final Indexer<Pod> pods;
  private final PodControl podControl;
  private final StatusWriter<T> statusWriter;
  private final Function<ObjectKey, T> freshGet;
  private final ControllerExpectations expectations;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  public ReplicaSetController(
      ReplicaKind<T> kind,
      Indexer<T> sets,
      Indexer<Pod> pods,
      PodControl podControl,
      StatusWriter<T> statusWriter,
      Function<ObjectKey, T> freshGet,
      ControllerExpectations expectations,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.kind = kind;
    this.sets = sets;
    this.pods = pods;
    this.podControl = podControl;
    this.statusWriter = statusWriter;
    this.freshGet = freshGet;
    this.expectations = expectations;
    this.queue = queue;
    this.clock = clock;
  }

  // ---- event handlers: compute keys, enqueue, no I/O ----

  public ResourceEventHandler<T> setHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T set) {
        queue.add(ObjectKey.of(set));
      }

      @Override
      public void onUpdate(T oldSet, T newSet) {
        queue.add(ObjectKey.of(newSet));
      }

      @Override
      public void onDelete(T set, boolean deletedFinalStateUnknown) {
        ObjectKey key = ObjectKey.of(set);
        expectations.delete(key);
        queue.add(key);
      }
    };
  }

  public ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        podAdded(pod);
      }

      @Override
      public void onUpdate(Pod oldPod, Pod newPod) {
        podUpdated(oldPod, newPod);
      }

      @Override
      public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        podDeleted(pod);
      }
    };
  }

  void podAdded(Pod pod) {
    if (Pods.isTerminating(pod)) {
      // a restarted controller may see a pod already being deleted: count it as a deletion
      podDeleted(pod);
      return;
    }
    Optional<OwnerReference> ref = Pods.controllerRef(pod);
    if (ref.isPresent()) {
      T set = resolve(pod.getMetadata().getNamespace(), ref.get());
      if (set != null) {
        ObjectKey key = ObjectKey.of(set);
        expectations.creationObserved(key);
        queue.add(key);
      }
      return;
    }
    // an orphan: every matching set may adopt it
    for (T set : setsSelecting(pod)) {
      queue.add(ObjectKey.of(set));
    }
  }

  void podUpdated(Pod oldPod, Pod newPod) {
    if (Objects.equals(
        oldPod.getMetadata().getResourceVersion(), newPod.getMetadata().getResourceVersion())) {
      return;
    }
    boolean labelsChanged =
        !Objects.equals(oldPod.getMetadata().getLabels(), newPod.getMetadata().getLabels());
    if (Pods.isTerminating(newPod)) {
      podDeleted(newPod);
      if (labelsChanged) {
        podDeleted(oldPod);
      }
      return;
    }
    Optional<OwnerReference> oldRef = Pods.controllerRef(oldPod);
    Optional<OwnerReference> newRef = Pods.controllerRef(newPod);
    if (!Objects.equals(oldRef.map(OwnerReference::getUid), newRef.map(OwnerReference::getUid))
        && oldRef.isPresent()) {
      T oldSet = resolve(oldPod.getMetadata().getNamespace(), oldRef.get());
      if (oldSet != null) {
        queue.add(ObjectKey.of(oldSet));
      }
    }
    if (newRef.isPresent()) {
      T set = resolve(newPod.getMetadata().getNamespace(), newRef.get());
      if (set != null) {
        ObjectKey key = ObjectKey.of(set);
        queue.add(key);
        int minReady = kind.minReadySeconds(set);
        if (minReady > 0 && !Pods.isReady(oldPod) && Pods.isReady(newPod)) {
          // check availability again once the pod has been ready for minReadySeconds
          queue.addAfter(key, Duration.ofSeconds(minReady + 1L));
        }
      }
      return;
    }
    if (labelsChanged || oldRef.isPresent()) {
      for (T set : setsSelecting(newPod)) {
        queue.add(ObjectKey.of(set));
      }
    }
  }

  void podDeleted(Pod pod) {
    Optional<OwnerReference> ref = Pods.controllerRef(pod);
    if (ref.isEmpty()) {
      return;
    }
    T set = resolve(pod.getMetadata().getNamespace(), ref.get());
    if (set == null) {
      return;
    }
    ObjectKey key = ObjectKey.of(set);
    expectations.deletionObserved(key, Pods.cacheKey(pod));
    queue.add(key);
  }

  private T resolve(String namespace, OwnerReference ref) {
    if (!kind.kind().equals(ref.getKind())) {
      return null;
    }
    T set = sets.getByKey(new ObjectKey(namespace, ref.getName()).cacheKey());
    if (set == null || !Objects.equals(set.getMetadata().getUid(), ref.getUid())) {
      return null;
    }
    return set;
  }

  private List<T> setsSelecting(Pod pod) {
    List<T> matching = new ArrayList<>();
    for (T set : new Lister<>(sets).namespace(pod.getMetadata().getNamespace()).list()) {
      LabelSelector selector = kind.selector(set);
      if (selector == null || Selectors.isEmpty(selector)) {
        continue;
      }
      if (Selectors.matches(selector, pod.getMetadata().getLabels())) {
        matching.add(set);
      }
    }
    return matching;
  }

  // ---- reconcile ----

  @Override
  public Result reconcile(ObjectKey key) {
    T set = sets.getByKey(key.cacheKey());
    if (set == null) {
      expectations.delete(key);
      return Result.done();
    }
    boolean needsSync =
        expectations.satisfied(key) && set.getMetadata().getDeletionTimestamp() == null;
    List<Pod> active =
        new Lister<>(pods)
            .namespace(key.namespace()).list().stream().filter(Pods::isActive).toList();
    LabelSelector selector = kind.selector(set);
    ControllerRefManager<Pod> adoption =
        new ControllerRefManager<>(
            podControl::patchOwnerReferences,
            set,
            ControllerRefManager.bySelector(selector),
            kind.apiVersion(),
            kind.kind(),
            () -> freshGet.apply(key));
    List<Pod> owned = adoption.claim(active);

    RuntimeException manageError = null;
    int diff = owned.size() - kind.replicas(set);
    if (needsSync) {
      try {
        manageReplicas(key, set, owned, adoption.ownerRef());
      } catch (RuntimeException e) {
        manageError = e;
      }
    }
    ReplicaStatus status = calculateStatus(set, owned, manageError, diff);
    ReplicaStatus current = kind.status(set);
    if (!status.sameAs(current)) {
      statusWriter.updateStatus(kind.withStatus(set, status));
    }
    if (manageError != null) {
      throw manageError;
    }
    int minReady = kind.minReadySeconds(set);
    int replicas = kind.replicas(set);
    if (minReady > 0
        && status.readyReplicas() == replicas
        && status.availableReplicas() != replicas) {
      return Result.requeueAfter(Duration.ofSeconds(minReady));
    }
    return Result.done();
  }

  private void manageReplicas(ObjectKey key, T set, List<Pod> owned, OwnerReference ownerRef) {
    int diff = owned.size() - kind.replicas(set);
    if (diff < 0) {
      int toCreate = Math.min(-diff, BURST_REPLICAS);
      expectations.expectCreations(key, toCreate);
      LOG.info(
          "too few replicas kind={} key={} need={} creating={}",
          kind.kind(),
          key,
          kind.replicas(set),
          toCreate);
      SlowStart.Outcome outcome =
          SlowStart.run(
              toCreate,
              1,
              i -> {
                podControl.createPod(key.namespace(), kind.template(set), set, ownerRef);
                return true;
              });
      int notCreated = toCreate - outcome.succeeded();
      if (notCreated > 0) {
        // these creations will never be observed
        expectations.lowerCreations(key, notCreated);
      }
      if (outcome.firstError() != null) {
        throw outcome.firstError();
      }
    } else if (diff > 0) {
      int toDelete = Math.min(diff, BURST_REPLICAS);
      List<Pod> victims =
          ActivePodsRanking.podsToDelete(owned, relatedPods(set), toDelete, clock.instant());
      Set<String> victimKeys = new HashSet<>();
      victims.forEach(pod -> victimKeys.add(Pods.cacheKey(pod)));
      expectations.expectDeletions(key, victimKeys);
      LOG.info(
          "too many replicas kind={} key={} need={} deleting={}",
          kind.kind(),
          key,
          kind.replicas(set),
          toDelete);
      AtomicReference<RuntimeException> firstError = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (Pod victim : victims) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        podControl.deletePod(key.namespace(), victim.getMetadata().getName(), set);
                      } catch (RuntimeException e) {
                        // the deletion will not be observed as such
                        expectations.deletionObserved(key, Pods.cacheKey(victim));
                        if (!(e instanceof KubernetesClientException k && k.getCode() == 404)) {
                          firstError.compareAndSet(null, e);
                        }
                      }
                    }));
      }
      joinAll(threads);
      if (firstError.get() != null) {
        throw firstError.get();
      }
    }
  }

  /** Pods of every set with the same controller owner (e.g. all ReplicaSets of a Deployment). */
  private List<Pod> relatedPods(T set) {
    Optional<OwnerReference> owner = Pods.controllerRef(set);
    if (owner.isEmpty()) {
      return pods.byIndex(Informers.BY_CONTROLLER_UID, set.getMetadata().getUid());
    }
    List<Pod> related = new ArrayList<>();
    for (T sibling : new Lister<>(sets).namespace(set.getMetadata().getNamespace()).list()) {
      Optional<OwnerReference> siblingOwner = Pods.controllerRef(sibling);
      if (siblingOwner.isPresent()
          && Objects.equals(siblingOwner.get().getUid(), owner.get().getUid())) {
        related.addAll(pods.byIndex(Informers.BY_CONTROLLER_UID, sibling.getMetadata().getUid()));
      }
    }
    return related;
  }

  ReplicaStatus calculateStatus(T set, List<Pod> owned, RuntimeException manageError, int diff) {
    Instant now = clock.instant();
    Map<String, String> templateLabels =
        kind.template(set) == null || kind.template(set).getMetadata() == null
            ? Map.of()
            : Optional.ofNullable(kind.template(set).getMetadata().getLabels()).orElse(Map.of());
    int fullyLabeled = 0;
    int ready = 0;
    int available = 0;
    int minReady = kind.minReadySeconds(set);
    for (Pod pod : owned) {
      Map<String, String> labels =
          Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
      if (labels.entrySet().containsAll(templateLabels.entrySet())) {
        fullyLabeled++;
      }
      if (Pods.isReady(pod)) {
        ready++;
        if (Pods.isAvailable(pod, minReady, now)) {
          available++;
        }
      }
    }
    Optional<ReplicaStatus.ReplicaFailure> failure = kind.status(set).replicaFailure();
    if (manageError != null && failure.isEmpty()) {
      failure =
          Optional.of(
              new ReplicaStatus.ReplicaFailure(
                  diff < 0 ? "FailedCreate" : "FailedDelete",
                  messageOf(manageError),
                  Timestamps.time(now)));
    } else if (manageError == null) {
      failure = Optional.empty();
    }
    Long generation = set.getMetadata().getGeneration();
    return new ReplicaStatus(
        owned.size(), fullyLabeled, ready, available, generation == null ? 0 : generation, failure);
  }

  private static String messageOf(RuntimeException e) {
    if (e instanceof KubernetesClientException k
        && k.getStatus() != null
        && k.getStatus().getMessage() != null) {
      return k.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static void joinAll(List<Thread> threads) {
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while deleting pods", e);
      }
    }
  }
}
