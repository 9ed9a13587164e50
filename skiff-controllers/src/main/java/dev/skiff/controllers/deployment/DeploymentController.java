package dev.skiff.controllers.deployment;

import static dev.skiff.controllers.deployment.Rollouts.replicas;

import dev.skiff.api.Json;
import dev.skiff.client.Timestamps;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.runtime.ControllerRefManager;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import dev.skiff.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Rolls a Deployment's pod template out through ReplicaSets: one new ReplicaSet per template (named
 * by its pod-template-hash), scaled up while old ones scale down within maxSurge and maxUnavailable
 * (RollingUpdate) or after they are gone (Recreate); proportional scaling when the Deployment is
 * resized mid-rollout; revision annotations and history cleanup; the Progressing and Available
 * conditions, including the progress deadline.
 */
public final class DeploymentController implements Reconciler {
  static final Set<String> NOT_COPIED_ANNOTATIONS =
      Set.of(
          "kubectl.kubernetes.io/last-applied-configuration",
          Rollouts.REVISION,
          Rollouts.REVISION_HISTORY,
          Rollouts.DESIRED_REPLICAS,
          Rollouts.MAX_REPLICAS,
          "deprecated.deployment.rollback.to");

  private final Indexer<Deployment> deployments;
  private final Indexer<ReplicaSet> replicaSets;
  private final Indexer<Pod> pods;
  private final DeploymentWriter writer;
  private final EventRecorder recorder;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  public DeploymentController(
      Indexer<Deployment> deployments,
      Indexer<ReplicaSet> replicaSets,
      Indexer<Pod> pods,
      DeploymentWriter writer,
      EventRecorder recorder,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.deployments = deployments;
    this.replicaSets = replicaSets;
    this.pods = pods;
    this.writer = writer;
    this.recorder = recorder;
    this.queue = queue;
    this.clock = clock;
  }

  // ---- event handlers ----

  public ResourceEventHandler<Deployment> deploymentHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment d) {
        queue.add(ObjectKey.of(d));
      }

      @Override
      public void onUpdate(Deployment oldD, Deployment newD) {
        queue.add(ObjectKey.of(newD));
      }

      @Override
      public void onDelete(Deployment d, boolean deletedFinalStateUnknown) {
        queue.add(ObjectKey.of(d));
      }
    };
  }

  public ResourceEventHandler<ReplicaSet> replicaSetHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(ReplicaSet rs) {
        replicaSetChanged(null, rs);
      }

      @Override
      public void onUpdate(ReplicaSet oldRs, ReplicaSet newRs) {
        if (Objects.equals(
            oldRs.getMetadata().getResourceVersion(), newRs.getMetadata().getResourceVersion())) {
          return;
        }
        replicaSetChanged(oldRs, newRs);
      }

      @Override
      public void onDelete(ReplicaSet rs, boolean deletedFinalStateUnknown) {
        ownerOf(rs).ifPresent(d -> queue.add(ObjectKey.of(d)));
      }
    };
  }

  public ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {}

      @Override
      public void onUpdate(Pod oldPod, Pod newPod) {}

      @Override
      public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        // Recreate waits for old pods to be gone: wake it when one goes
        ControllerRefManager.controllerOf(pod)
            .filter(ref -> "ReplicaSet".equals(ref.getKind()))
            .map(
                ref ->
                    replicaSets.getByKey(
                        new ObjectKey(pod.getMetadata().getNamespace(), ref.getName()).cacheKey()))
            .flatMap(this::ownerOfRs)
            .filter(d -> !Rollouts.isRollingUpdate(d))
            .ifPresent(d -> queue.add(ObjectKey.of(d)));
      }

      private Optional<Deployment> ownerOfRs(ReplicaSet rs) {
        return rs == null ? Optional.empty() : ownerOf(rs);
      }
    };
  }

  void replicaSetChanged(ReplicaSet oldRs, ReplicaSet rs) {
    Optional<OwnerReference> ref = ControllerRefManager.controllerOf(rs);
    if (oldRs != null) {
      Optional<OwnerReference> oldRef = ControllerRefManager.controllerOf(oldRs);
      if (oldRef.isPresent()
          && !Objects.equals(oldRef.map(OwnerReference::getUid), ref.map(OwnerReference::getUid))) {
        ownerOf(oldRs).ifPresent(d -> queue.add(ObjectKey.of(d)));
      }
    }
    if (ref.isPresent()) {
      ownerOf(rs).ifPresent(d -> queue.add(ObjectKey.of(d)));
      return;
    }
    if (oldRs == null
        || !Objects.equals(oldRs.getMetadata().getLabels(), rs.getMetadata().getLabels())
        || ControllerRefManager.controllerOf(oldRs).isPresent()) {
      for (Deployment d :
          new Lister<>(deployments).namespace(rs.getMetadata().getNamespace()).list()) {
        LabelSelector selector = d.getSpec().getSelector();
        if (!Selectors.isEmpty(selector)
            && Selectors.matches(selector, rs.getMetadata().getLabels())) {
          queue.add(ObjectKey.of(d));
        }
      }
    }
  }

  private Optional<Deployment> ownerOf(ReplicaSet rs) {
    Optional<OwnerReference> ref = ControllerRefManager.controllerOf(rs);
    if (ref.isEmpty() || !"Deployment".equals(ref.get().getKind())) {
      return Optional.empty();
    }
    Deployment d =
        deployments.getByKey(
            new ObjectKey(rs.getMetadata().getNamespace(), ref.get().getName()).cacheKey());
    if (d == null || !Objects.equals(d.getMetadata().getUid(), ref.get().getUid())) {
      return Optional.empty();
    }
    return Optional.of(d);
  }

  // ---- reconcile ----

  @Override
  public Result reconcile(ObjectKey key) {
    Deployment cached = deployments.getByKey(key.cacheKey());
    if (cached == null) {
      return Result.done();
    }
    return new Sync(Json.MAPPER.convertValue(cached, Deployment.class)).run(key);
  }

  /** One sync of one Deployment: holds the latest Deployment and ReplicaSets as writes happen. */
  private final class Sync {
    private Deployment d;
    private final List<ReplicaSet> rsList = new ArrayList<>();
    private final Instant now = clock.instant();

    Sync(Deployment d) {
      this.d = d;
      if (this.d.getStatus() == null) {
        this.d.setStatus(new DeploymentStatus());
      }
    }

    Result run(ObjectKey key) {
      LabelSelector selector = d.getSpec().getSelector();
      if (selector == null || Selectors.isEmpty(selector)) {
        recorder.event(
            d,
            EventRecorder.WARNING,
            "SelectingAll",
            "This deployment is selecting all pods. A non-empty selector is required.");
        if (Rollouts.orZero(d.getStatus().getObservedGeneration())
            < Rollouts.orZero(d.getMetadata().getGeneration())) {
          d.getStatus().setObservedGeneration(d.getMetadata().getGeneration());
          writer.updateStatus(d);
        }
        return Result.done();
      }
      rsList.addAll(claimReplicaSets(key));
      if (d.getMetadata().getDeletionTimestamp() != null) {
        return syncStatusOnly();
      }
      checkPausedConditions();
      if (Rollouts.isPaused(d)) {
        return syncScaling();
      }
      if (isScalingEvent()) {
        return syncScaling();
      }
      return Rollouts.isRollingUpdate(d) ? rolloutRolling() : rolloutRecreate();
    }

    private List<ReplicaSet> claimReplicaSets(ObjectKey key) {
      ControllerRefManager<ReplicaSet> manager =
          new ControllerRefManager<>(
              writer::patchReplicaSetOwnerReferences,
              d,
              ControllerRefManager.bySelector(d.getSpec().getSelector()),
              "apps/v1",
              "Deployment",
              () -> writer.get(key));
      List<ReplicaSet> inNamespace =
          new Lister<>(replicaSets)
              .namespace(key.namespace()).list().stream()
                  .map(rs -> Json.MAPPER.convertValue(rs, ReplicaSet.class))
                  .toList();
      return new ArrayList<>(manager.claim(inNamespace));
    }

    // ---- finding and creating the new ReplicaSet ----

    private ReplicaSet findNew() {
      return rsList.stream()
          .sorted(Rollouts.BY_CREATION)
          .filter(
              rs ->
                  TemplateHash.equalIgnoringHash(
                      rs.getSpec().getTemplate(), d.getSpec().getTemplate()))
          .findFirst()
          .orElse(null);
    }

    private List<ReplicaSet> olds(ReplicaSet newRs) {
      if (newRs == null) {
        return List.copyOf(rsList);
      }
      return rsList.stream()
          .filter(rs -> !Objects.equals(rs.getMetadata().getName(), newRs.getMetadata().getName()))
          .toList();
    }

    /** The new ReplicaSet (created when asked and missing), annotations and revision in sync. */
    private ReplicaSet syncNewReplicaSet(boolean create) {
      ReplicaSet existing = findNew();
      long maxOld = olds(existing).stream().mapToLong(Rollouts::revision).max().orElse(0);
      String newRevision = Long.toString(maxOld + 1);
      if (existing != null) {
        ReplicaSet copy = Json.MAPPER.convertValue(existing, ReplicaSet.class);
        boolean annotationsChanged = setNewReplicaSetAnnotations(copy, newRevision, true);
        boolean minReadyChanged =
            !Objects.equals(
                orZero(copy.getSpec().getMinReadySeconds()),
                orZero(d.getSpec().getMinReadySeconds()));
        if (annotationsChanged || minReadyChanged) {
          copy.getSpec().setMinReadySeconds(d.getSpec().getMinReadySeconds());
          existing = replace(existing, writer.updateReplicaSet(copy));
        }
        setDeploymentRevision(existing.getMetadata().getAnnotations().get(Rollouts.REVISION));
        if (Rollouts.condition(d.getStatus(), Rollouts.PROGRESSING).isEmpty()
            && Rollouts.hasProgressDeadline(d)) {
          Rollouts.setCondition(
              d.getStatus(),
              Rollouts.newCondition(
                  Rollouts.PROGRESSING,
                  "True",
                  Rollouts.FOUND_NEW_RS,
                  "Found new replica set \"" + existing.getMetadata().getName() + "\"",
                  now));
          d = writer.updateStatus(d);
        }
        return existing;
      }
      if (!create) {
        return null;
      }
      Integer collisionCount = d.getStatus().getCollisionCount();
      String hash = TemplateHash.compute(d.getSpec().getTemplate(), collisionCount);
      PodTemplateSpec template =
          Json.MAPPER.convertValue(d.getSpec().getTemplate(), PodTemplateSpec.class);
      template
          .getMetadata()
          .setLabels(TemplateHash.withHash(template.getMetadata().getLabels(), hash));
      LabelSelector selector =
          Json.MAPPER.convertValue(d.getSpec().getSelector(), LabelSelector.class);
      selector.setMatchLabels(TemplateHash.withHash(selector.getMatchLabels(), hash));
      ReplicaSet fresh =
          new ReplicaSetBuilder()
              .withNewMetadata()
              .withName(d.getMetadata().getName() + "-" + hash)
              .withNamespace(d.getMetadata().getNamespace())
              .withLabels(template.getMetadata().getLabels())
              .withOwnerReferences(ControllerRefManager.controllerRef(d, "apps/v1", "Deployment"))
              .endMetadata()
              .withNewSpec()
              .withReplicas(0)
              .withMinReadySeconds(d.getSpec().getMinReadySeconds())
              .withSelector(selector)
              .withTemplate(template)
              .endSpec()
              .build();
      List<ReplicaSet> all = new ArrayList<>(rsList);
      int newReplicas = Rollouts.newReplicaSetReplicas(d, all, null);
      fresh.getSpec().setReplicas(newReplicas);
      setNewReplicaSetAnnotations(fresh, newRevision, false);
      ReplicaSet created;
      try {
        created = writer.createReplicaSet(fresh);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          return handleCollision(fresh, e);
        }
        if (Rollouts.hasProgressDeadline(d)) {
          String message =
              "Failed to create new replica set \""
                  + fresh.getMetadata().getName()
                  + "\": "
                  + messageOf(e);
          Rollouts.setCondition(
              d.getStatus(),
              Rollouts.newCondition(
                  Rollouts.PROGRESSING, "False", Rollouts.RS_CREATE_ERROR, message, now));
          recorder.event(d, EventRecorder.WARNING, Rollouts.RS_CREATE_ERROR, message);
          d = writer.updateStatus(d);
        }
        throw e;
      }
      rsList.add(created);
      if (newReplicas > 0) {
        recorder.event(
            d,
            EventRecorder.NORMAL,
            "ScalingReplicaSet",
            "Scaled up replica set "
                + created.getMetadata().getName()
                + " from 0 to "
                + newReplicas);
      }
      setDeploymentRevision(newRevision);
      if (Rollouts.hasProgressDeadline(d)) {
        Rollouts.setCondition(
            d.getStatus(),
            Rollouts.newCondition(
                Rollouts.PROGRESSING,
                "True",
                Rollouts.NEW_RS_CREATED,
                "Created new replica set \"" + created.getMetadata().getName() + "\"",
                now));
        d = writer.updateStatus(d);
      }
      return created;
    }

    private ReplicaSet handleCollision(ReplicaSet wanted, KubernetesClientException e) {
      ReplicaSet taken =
          replicaSets.getByKey(
              new ObjectKey(wanted.getMetadata().getNamespace(), wanted.getMetadata().getName())
                  .cacheKey());
      if (taken != null
          && ControllerRefManager.controllerOf(taken)
              .map(ref -> Objects.equals(ref.getUid(), d.getMetadata().getUid()))
              .orElse(false)
          && TemplateHash.equalIgnoringHash(
              taken.getSpec().getTemplate(), d.getSpec().getTemplate())) {
        // our own earlier creation, not yet in the list we started with
        return taken;
      }
      int collisions = orZero(d.getStatus().getCollisionCount()) + 1;
      d.getStatus().setCollisionCount(collisions);
      d = writer.updateStatus(d);
      throw new IllegalStateException(
          "hash collision for replica set "
              + wanted.getMetadata().getName()
              + "; collisionCount now "
              + collisions,
          e);
    }

    /** Copies annotations, bumps the revision (keeping history), sets replica annotations. */
    private boolean setNewReplicaSetAnnotations(ReplicaSet rs, String newRevision, boolean exists) {
      Map<String, String> annotations =
          rs.getMetadata().getAnnotations() == null
              ? new HashMap<>()
              : new HashMap<>(rs.getMetadata().getAnnotations());
      boolean changed = false;
      if (d.getMetadata().getAnnotations() != null) {
        for (Map.Entry<String, String> e : d.getMetadata().getAnnotations().entrySet()) {
          if (!NOT_COPIED_ANNOTATIONS.contains(e.getKey())
              && !Objects.equals(annotations.get(e.getKey()), e.getValue())) {
            annotations.put(e.getKey(), e.getValue());
            changed = true;
          }
        }
      }
      String oldRevision = annotations.get(Rollouts.REVISION);
      long oldNumber = parseOrZero(oldRevision);
      long newNumber = parseOrZero(newRevision);
      if (oldNumber < newNumber) {
        annotations.put(Rollouts.REVISION, newRevision);
        changed = true;
        if (oldRevision != null && !oldRevision.isEmpty()) {
          String history = annotations.get(Rollouts.REVISION_HISTORY);
          annotations.put(
              Rollouts.REVISION_HISTORY,
              history == null || history.isEmpty() ? oldRevision : history + "," + oldRevision);
        }
      }
      if (!exists) {
        annotations.put(Rollouts.DESIRED_REPLICAS, Integer.toString(replicas(d)));
        annotations.put(
            Rollouts.MAX_REPLICAS, Integer.toString(replicas(d) + Rollouts.maxSurge(d)));
        changed = true;
      }
      rs.getMetadata().setAnnotations(annotations);
      return changed;
    }

    private void setDeploymentRevision(String revision) {
      if (revision == null) {
        return;
      }
      Map<String, String> annotations = d.getMetadata().getAnnotations();
      if (annotations != null && revision.equals(annotations.get(Rollouts.REVISION))) {
        return;
      }
      DeploymentStatus status = d.getStatus();
      d = writer.patchAnnotations(d, Map.of(Rollouts.REVISION, revision));
      d.setStatus(status);
    }

    // ---- scaling ----

    private boolean scale(ReplicaSet rs, int newScale, String operation) {
      boolean sizeChanges = replicas(rs) != newScale;
      int desired = replicas(d);
      int max = desired + Rollouts.maxSurge(d);
      boolean annotationsChange =
          !Rollouts.intAnnotation(rs, Rollouts.DESIRED_REPLICAS).equals(Optional.of(desired))
              || !Rollouts.intAnnotation(rs, Rollouts.MAX_REPLICAS).equals(Optional.of(max));
      if (!sizeChanges && !annotationsChange) {
        return false;
      }
      int oldScale = replicas(rs);
      ReplicaSet copy = Json.MAPPER.convertValue(rs, ReplicaSet.class);
      copy.getSpec().setReplicas(newScale);
      Map<String, String> annotations =
          copy.getMetadata().getAnnotations() == null
              ? new HashMap<>()
              : new HashMap<>(copy.getMetadata().getAnnotations());
      annotations.put(Rollouts.DESIRED_REPLICAS, Integer.toString(desired));
      annotations.put(Rollouts.MAX_REPLICAS, Integer.toString(max));
      copy.getMetadata().setAnnotations(annotations);
      replace(rs, writer.updateReplicaSet(copy));
      if (sizeChanges) {
        recorder.event(
            d,
            EventRecorder.NORMAL,
            "ScalingReplicaSet",
            "Scaled "
                + operation
                + " replica set "
                + rs.getMetadata().getName()
                + " from "
                + oldScale
                + " to "
                + newScale);
      }
      return sizeChanges;
    }

    private boolean scaleAndRecord(ReplicaSet rs, int newScale) {
      if (replicas(rs) == newScale) {
        return false;
      }
      return scale(rs, newScale, replicas(rs) < newScale ? "up" : "down");
    }

    private ReplicaSet replace(ReplicaSet old, ReplicaSet updated) {
      for (int i = 0; i < rsList.size(); i++) {
        if (Objects.equals(rsList.get(i).getMetadata().getName(), old.getMetadata().getName())) {
          rsList.set(i, updated);
        }
      }
      return updated;
    }

    private ReplicaSet current(ReplicaSet rs) {
      if (rs == null) {
        return null;
      }
      for (ReplicaSet candidate : rsList) {
        if (Objects.equals(candidate.getMetadata().getName(), rs.getMetadata().getName())) {
          return candidate;
        }
      }
      return rs;
    }

    private boolean isScalingEvent() {
      ReplicaSet newRs = syncNewReplicaSet(false);
      List<ReplicaSet> all = new ArrayList<>(olds(newRs));
      if (newRs != null) {
        all.add(newRs);
      }
      for (ReplicaSet rs : Rollouts.active(all)) {
        Optional<Integer> desired = Rollouts.intAnnotation(rs, Rollouts.DESIRED_REPLICAS);
        if (desired.isPresent() && desired.get() != replicas(d)) {
          return true;
        }
      }
      return false;
    }

    /** Scaling only (paused, or the Deployment was resized): proportional across ReplicaSets. */
    private Result syncScaling() {
      ReplicaSet newRs = syncNewReplicaSet(false);
      scaleProportionally(newRs, olds(newRs));
      newRs = current(newRs);
      if (Rollouts.isPaused(d)) {
        cleanup(olds(newRs));
      }
      return syncStatus(newRs);
    }

    private void scaleProportionally(ReplicaSet newRs, List<ReplicaSet> oldRss) {
      ReplicaSet activeOrLatest = activeOrLatest(newRs, oldRss);
      if (activeOrLatest != null) {
        if (replicas(activeOrLatest) != replicas(d)) {
          scaleAndRecord(activeOrLatest, replicas(d));
        }
        return;
      }
      if (Rollouts.isSaturated(d, newRs)) {
        for (ReplicaSet old : Rollouts.active(oldRss)) {
          scaleAndRecord(old, 0);
        }
        return;
      }
      if (!Rollouts.isRollingUpdate(d)) {
        return;
      }
      List<ReplicaSet> all = new ArrayList<>(oldRss);
      if (newRs != null) {
        all.add(newRs);
      }
      all = new ArrayList<>(Rollouts.active(all));
      int allowed = replicas(d) > 0 ? replicas(d) + Rollouts.maxSurge(d) : 0;
      int toAdd = allowed - Rollouts.specReplicaSum(all);
      String operation = null;
      if (toAdd > 0) {
        all.sort(Rollouts.BY_SIZE_NEWER);
        operation = "up";
      } else if (toAdd < 0) {
        all.sort(Rollouts.BY_SIZE_OLDER);
        operation = "down";
      }
      Map<String, Integer> sizes = new LinkedHashMap<>();
      int added = 0;
      for (ReplicaSet rs : all) {
        if (toAdd != 0) {
          int proportion = Rollouts.proportion(rs, d, toAdd, added);
          sizes.put(rs.getMetadata().getName(), replicas(rs) + proportion);
          added += proportion;
        } else {
          sizes.put(rs.getMetadata().getName(), replicas(rs));
        }
      }
      if (toAdd != 0 && !all.isEmpty()) {
        String largest = all.get(0).getMetadata().getName();
        sizes.put(largest, Math.max(0, sizes.get(largest) + toAdd - added));
      }
      for (ReplicaSet rs : all) {
        scale(rs, sizes.get(rs.getMetadata().getName()), operation == null ? "up" : operation);
      }
    }

    private ReplicaSet activeOrLatest(ReplicaSet newRs, List<ReplicaSet> oldRss) {
      if (newRs == null && oldRss.isEmpty()) {
        return null;
      }
      List<ReplicaSet> newestFirst = new ArrayList<>(oldRss);
      newestFirst.sort(Rollouts.BY_CREATION.reversed());
      List<ReplicaSet> all = new ArrayList<>(newestFirst);
      if (newRs != null) {
        all.add(newRs);
      }
      List<ReplicaSet> active = Rollouts.active(all);
      if (active.size() == 1) {
        return active.get(0);
      }
      if (active.isEmpty()) {
        return newRs != null ? newRs : newestFirst.get(0);
      }
      return null;
    }

    // ---- strategies ----

    private Result rolloutRolling() {
      ReplicaSet newRs = syncNewReplicaSet(true);
      List<ReplicaSet> oldRss = olds(newRs);
      List<ReplicaSet> all = new ArrayList<>(oldRss);
      all.add(newRs);

      if (reconcileNewReplicaSet(all, newRs)) {
        return syncRolloutStatus(current(newRs));
      }
      newRs = current(newRs);
      if (reconcileOldReplicaSets(newRs)) {
        return syncRolloutStatus(current(newRs));
      }
      newRs = current(newRs);
      if (Rollouts.complete(d, d.getStatus())) {
        cleanup(olds(newRs));
      }
      return syncRolloutStatus(current(newRs));
    }

    private boolean reconcileNewReplicaSet(List<ReplicaSet> all, ReplicaSet newRs) {
      if (replicas(newRs) == replicas(d)) {
        return false;
      }
      if (replicas(newRs) > replicas(d)) {
        return scaleAndRecord(newRs, replicas(d));
      }
      return scaleAndRecord(newRs, Rollouts.newReplicaSetReplicas(d, all, newRs));
    }

    private boolean reconcileOldReplicaSets(ReplicaSet newRs) {
      List<ReplicaSet> oldRss = olds(newRs);
      int oldPods = Rollouts.specReplicaSum(oldRss);
      if (oldPods == 0) {
        return false;
      }
      int allPods = oldPods + replicas(newRs);
      int minAvailable = replicas(d) - Rollouts.maxUnavailable(d);
      int newUnavailable = replicas(newRs) - Rollouts.availableReplicas(newRs);
      int maxScaledDown = allPods - minAvailable - newUnavailable;
      if (maxScaledDown <= 0) {
        return false;
      }
      int cleaned = cleanupUnhealthyReplicas(Rollouts.active(oldRss), maxScaledDown);
      int scaledDown = scaleDownOldForRollingUpdate(current(newRs));
      return cleaned + scaledDown > 0;
    }

    /** Scales down old ReplicaSets' unavailable pods first: they add no availability. */
    private int cleanupUnhealthyReplicas(List<ReplicaSet> oldRss, int maxCleanup) {
      List<ReplicaSet> sorted = new ArrayList<>(oldRss);
      sorted.sort(Rollouts.BY_CREATION);
      int total = 0;
      for (ReplicaSet rs : sorted) {
        if (total >= maxCleanup) {
          break;
        }
        int size = replicas(rs);
        int available = Rollouts.availableReplicas(rs);
        if (size == 0 || size == available) {
          continue;
        }
        int scaleDown = Math.min(maxCleanup - total, size - available);
        scaleAndRecord(rs, size - scaleDown);
        total += scaleDown;
      }
      return total;
    }

    private int scaleDownOldForRollingUpdate(ReplicaSet newRs) {
      int minAvailable = replicas(d) - Rollouts.maxUnavailable(d);
      List<ReplicaSet> all = new ArrayList<>(rsList);
      int available = Rollouts.availableSum(all);
      if (available <= minAvailable) {
        return 0;
      }
      int totalScaleDown = available - minAvailable;
      List<ReplicaSet> oldRss = new ArrayList<>(olds(newRs));
      oldRss.sort(Rollouts.BY_CREATION);
      int scaled = 0;
      for (ReplicaSet rs : oldRss) {
        if (scaled >= totalScaleDown) {
          break;
        }
        if (replicas(rs) == 0) {
          continue;
        }
        int scaleDown = Math.min(replicas(rs), totalScaleDown - scaled);
        scaleAndRecord(rs, replicas(rs) - scaleDown);
        scaled += scaleDown;
      }
      return scaled;
    }

    private Result rolloutRecreate() {
      ReplicaSet newRs = syncNewReplicaSet(false);
      boolean scaledDown = false;
      for (ReplicaSet old : Rollouts.active(olds(newRs))) {
        scaledDown |= scaleAndRecord(old, 0);
      }
      if (scaledDown) {
        return syncRolloutStatus(current(newRs));
      }
      if (oldPodsRunning(newRs)) {
        return syncRolloutStatus(current(newRs));
      }
      if (newRs == null) {
        newRs = syncNewReplicaSet(true);
      }
      scaleAndRecord(current(newRs), replicas(d));
      newRs = current(newRs);
      if (Rollouts.complete(d, d.getStatus())) {
        cleanup(olds(newRs));
      }
      return syncRolloutStatus(newRs);
    }

    private boolean oldPodsRunning(ReplicaSet newRs) {
      List<ReplicaSet> oldRss = olds(newRs);
      if (Rollouts.statusReplicaSum(oldRss) > 0) {
        return true;
      }
      for (ReplicaSet old : oldRss) {
        for (Pod pod : pods.byIndex(Informers.BY_CONTROLLER_UID, old.getMetadata().getUid())) {
          String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
          if (!"Failed".equals(phase) && !"Succeeded".equals(phase)) {
            return true;
          }
        }
      }
      return false;
    }

    /** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
    private void cleanup(List<ReplicaSet> oldRss) {
      Integer limit = d.getSpec().getRevisionHistoryLimit();
      if (limit == null) {
        return;
      }
      List<ReplicaSet> cleanable =
          new ArrayList<>(
              oldRss.stream()
                  .filter(rs -> rs.getMetadata().getDeletionTimestamp() == null)
                  .toList());
      int diff = cleanable.size() - limit;
      if (diff <= 0) {
        return;
      }
      cleanable.sort(Rollouts.BY_REVISION);
      for (int i = 0; i < diff; i++) {
        ReplicaSet rs = cleanable.get(i);
        long observed =
            rs.getStatus() == null ? 0 : Rollouts.orZero(rs.getStatus().getObservedGeneration());
        if (Rollouts.statusReplicas(rs) != 0
            || replicas(rs) != 0
            || Rollouts.orZero(rs.getMetadata().getGeneration()) > observed) {
          continue;
        }
        writer.deleteReplicaSet(rs);
        rsList.removeIf(
            candidate ->
                Objects.equals(candidate.getMetadata().getName(), rs.getMetadata().getName()));
      }
    }

    // ---- status ----

    private void checkPausedConditions() {
      if (!Rollouts.hasProgressDeadline(d)) {
        return;
      }
      Optional<DeploymentCondition> condition =
          Rollouts.condition(d.getStatus(), Rollouts.PROGRESSING);
      if (condition.isPresent() && Rollouts.TIMED_OUT.equals(condition.get().getReason())) {
        return;
      }
      boolean pausedConditionExists =
          condition.isPresent() && Rollouts.PAUSED.equals(condition.get().getReason());
      if (Rollouts.isPaused(d) && !pausedConditionExists) {
        Rollouts.setCondition(
            d.getStatus(),
            Rollouts.newCondition(
                Rollouts.PROGRESSING, "Unknown", Rollouts.PAUSED, "Deployment is paused", now));
      } else if (!Rollouts.isPaused(d) && pausedConditionExists) {
        Rollouts.setCondition(
            d.getStatus(),
            Rollouts.newCondition(
                Rollouts.PROGRESSING, "Unknown", Rollouts.RESUMED, "Deployment is resumed", now));
      } else {
        return;
      }
      d = writer.updateStatus(d);
    }

    private Result syncStatusOnly() {
      ReplicaSet newRs = syncNewReplicaSet(false);
      return syncStatus(newRs);
    }

    private List<ReplicaSet> all(ReplicaSet newRs) {
      List<ReplicaSet> all = new ArrayList<>(olds(newRs));
      if (newRs != null) {
        all.add(newRs);
      }
      return all;
    }

    private Result syncStatus(ReplicaSet newRs) {
      DeploymentStatus next = Rollouts.calculateStatus(all(newRs), newRs, d, now);
      writeIfChanged(next);
      return Result.done();
    }

    private Result syncRolloutStatus(ReplicaSet newRs) {
      DeploymentStatus next = Rollouts.calculateStatus(all(newRs), newRs, d, now);
      if (!Rollouts.hasProgressDeadline(d)) {
        Rollouts.removeCondition(next, Rollouts.PROGRESSING);
      }
      Optional<DeploymentCondition> current =
          Rollouts.condition(d.getStatus(), Rollouts.PROGRESSING);
      boolean alreadyComplete =
          Objects.equals(next.getReplicas(), next.getUpdatedReplicas())
              && current.isPresent()
              && Rollouts.NEW_RS_AVAILABLE.equals(current.get().getReason());
      String subject =
          newRs != null
              ? "ReplicaSet \"" + newRs.getMetadata().getName() + "\""
              : "Deployment \"" + d.getMetadata().getName() + "\"";
      if (Rollouts.hasProgressDeadline(d) && !alreadyComplete) {
        if (Rollouts.complete(d, next)) {
          Rollouts.setCondition(
              next,
              Rollouts.newCondition(
                  Rollouts.PROGRESSING,
                  "True",
                  Rollouts.NEW_RS_AVAILABLE,
                  subject + " has successfully progressed.",
                  now));
        } else if (Rollouts.progressing(d, next)) {
          DeploymentCondition condition =
              Rollouts.newCondition(
                  Rollouts.PROGRESSING,
                  "True",
                  Rollouts.RS_UPDATED,
                  subject + " is progressing.",
                  now);
          if (current.isPresent()) {
            if ("True".equals(current.get().getStatus())) {
              condition.setLastTransitionTime(current.get().getLastTransitionTime());
            }
            Rollouts.removeCondition(next, Rollouts.PROGRESSING);
          }
          Rollouts.setCondition(next, condition);
        } else if (Rollouts.timedOut(d, next, now)) {
          Rollouts.setCondition(
              next,
              Rollouts.newCondition(
                  Rollouts.PROGRESSING,
                  "False",
                  Rollouts.TIMED_OUT,
                  subject + " has timed out progressing.",
                  now));
        }
      }
      Optional<DeploymentCondition> failure = replicaFailure(newRs);
      if (failure.isPresent()) {
        Rollouts.setCondition(next, failure.get());
      } else {
        Rollouts.removeCondition(next, Rollouts.REPLICA_FAILURE);
      }
      writeIfChanged(next);
      return requeueForDeadline(next);
    }

    private Optional<DeploymentCondition> replicaFailure(ReplicaSet newRs) {
      List<ReplicaSet> ordered = new ArrayList<>();
      if (newRs != null) {
        ordered.add(newRs);
      }
      ordered.addAll(olds(newRs));
      for (ReplicaSet rs : ordered) {
        if (rs.getStatus() == null || rs.getStatus().getConditions() == null) {
          continue;
        }
        for (var c : rs.getStatus().getConditions()) {
          if (Rollouts.REPLICA_FAILURE.equals(c.getType())) {
            return Optional.of(
                new DeploymentCondition(
                    c.getLastTransitionTime(),
                    c.getLastTransitionTime(),
                    c.getMessage(),
                    c.getReason(),
                    c.getStatus(),
                    c.getType()));
          }
        }
      }
      return Optional.empty();
    }

    private Result requeueForDeadline(DeploymentStatus status) {
      Optional<DeploymentCondition> condition = Rollouts.condition(status, Rollouts.PROGRESSING);
      if (!Rollouts.hasProgressDeadline(d) || condition.isEmpty()) {
        return Result.done();
      }
      if (Rollouts.complete(d, status) || Rollouts.TIMED_OUT.equals(condition.get().getReason())) {
        return Result.done();
      }
      Instant updated = Timestamps.parse(condition.get().getLastUpdateTime());
      if (updated == null) {
        return Result.done();
      }
      Duration after =
          Duration.between(now, updated.plusSeconds(d.getSpec().getProgressDeadlineSeconds()));
      if (after.compareTo(Duration.ofSeconds(1)) < 0) {
        return Result.requeueAfter(Duration.ofSeconds(1));
      }
      return Result.requeueAfter(after);
    }

    private void writeIfChanged(DeploymentStatus next) {
      if (Json.MAPPER.valueToTree(next).equals(Json.MAPPER.valueToTree(d.getStatus()))) {
        return;
      }
      d.setStatus(next);
      d = writer.updateStatus(d);
    }
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  private static long parseOrZero(String value) {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String messageOf(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getStatus().getMessage()
        : String.valueOf(e.getMessage());
  }
}
