package dev.skiff.controllers.statefulset;

import dev.skiff.api.Json;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.history.Revisions;
import dev.skiff.controllers.pods.ClientPodControl;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.replicaset.StatusWriter;
import dev.skiff.controllers.runtime.ControllerRefManager;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import dev.skiff.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimVolumeSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Keeps a StatefulSet's pods {@code <set>-0 .. <set>-(N-1)}: creates them with stable identity and
 * their claims, in order (OrderedReady) or all at once (Parallel), deletes condemned ordinals from
 * the highest down, rolls updates from the highest ordinal down to the partition, and reports
 * status against ControllerRevisions.
 */
public final class StatefulSetController implements Reconciler {
  public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
  public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

  private final Indexer<StatefulSet> sets;
  private final Indexer<Pod> pods;
  private final Indexer<PersistentVolumeClaim> claims;
  private final Indexer<ControllerRevision> revisions;
  private final ObjectWriter<Pod> podWriter;
  private final ObjectWriter<PersistentVolumeClaim> claimWriter;
  private final ObjectWriter<ControllerRevision> revisionWriter;
  private final StatusWriter<StatefulSet> statusWriter;
  private final Function<ObjectKey, StatefulSet> freshGet;
  private final EventRecorder recorder;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  public StatefulSetController(
      Indexer<StatefulSet> sets,
      Indexer<Pod> pods,
      Indexer<PersistentVolumeClaim> claims,
      Indexer<ControllerRevision> revisions,
      ObjectWriter<Pod> podWriter,
      ObjectWriter<PersistentVolumeClaim> claimWriter,
      ObjectWriter<ControllerRevision> revisionWriter,
      StatusWriter<StatefulSet> statusWriter,
      Function<ObjectKey, StatefulSet> freshGet,
      EventRecorder recorder,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.sets = sets;
    this.pods = pods;
    this.claims = claims;
    this.revisions = revisions;
    this.podWriter = podWriter;
    this.claimWriter = claimWriter;
    this.revisionWriter = revisionWriter;
    this.statusWriter = statusWriter;
    this.freshGet = freshGet;
    this.recorder = recorder;
    this.queue = queue;
    this.clock = clock;
  }

  public ResourceEventHandler<StatefulSet> setHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(StatefulSet set) {
        queue.add(ObjectKey.of(set));
      }

      @Override
      public void onUpdate(StatefulSet oldSet, StatefulSet newSet) {
        queue.add(ObjectKey.of(newSet));
      }

      @Override
      public void onDelete(StatefulSet set, boolean deletedFinalStateUnknown) {
        queue.add(ObjectKey.of(set));
      }
    };
  }

  /** Pod events enqueue the owning StatefulSet. */
  public ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        enqueueOwner(pod);
      }

      @Override
      public void onUpdate(Pod oldPod, Pod newPod) {
        enqueueOwner(newPod);
      }

      @Override
      public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        enqueueOwner(pod);
      }
    };
  }

  void enqueueOwner(Pod pod) {
    if (Pods.controllerRef(pod).isEmpty()) {
      // an orphan: a set it belongs to may adopt it
      for (StatefulSet set :
          new Lister<>(sets).namespace(pod.getMetadata().getNamespace()).list()) {
        if (ordinal(set, pod) >= 0
            && set.getSpec().getSelector() != null
            && Selectors.matches(set.getSpec().getSelector(), labels(pod))) {
          queue.add(ObjectKey.of(set));
        }
      }
      return;
    }
    Pods.controllerRef(pod)
        .filter(ref -> "StatefulSet".equals(ref.getKind()))
        .ifPresent(
            ref -> queue.add(new ObjectKey(pod.getMetadata().getNamespace(), ref.getName())));
  }

  // ---- reconcile ----

  @Override
  public Result reconcile(ObjectKey key) {
    StatefulSet set = sets.getByKey(key.cacheKey());
    if (set == null || set.getMetadata().getDeletionTimestamp() != null) {
      return Result.done();
    }
    String uid = set.getMetadata().getUid();
    List<ControllerRevision> history =
        new ArrayList<>(revisions.byIndex(Informers.BY_CONTROLLER_UID, uid));
    int collisionCount = collisionCount(set);
    ControllerRevision update;
    try {
      update = updateRevision(set, history, collisionCount);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        // a revision of that name holds another template: hash again with the next count
        writeStatus(set, withCollisionCount(set, collisionCount + 1));
      }
      throw e;
    }
    if (history.stream().noneMatch(r -> sameName(r, update))) {
      history.add(update);
    }
    ControllerRevision current =
        history.stream()
            .filter(
                r ->
                    set.getStatus() != null
                        && Objects.equals(
                            r.getMetadata().getName(), set.getStatus().getCurrentRevision()))
            .findFirst()
            .orElse(update);

    Map<Integer, Pod> byOrdinal = new TreeMap<>();
    List<Pod> condemned = new ArrayList<>();
    int replicas = replicas(set);
    List<Pod> owned = claimPods(key, set);
    for (Pod pod : owned) {
      int ordinal = ordinal(set, pod);
      if (ordinal < 0) {
        continue;
      }
      if (ordinal < replicas) {
        byOrdinal.put(ordinal, pod);
      } else {
        condemned.add(pod);
      }
    }
    condemned.sort(Comparator.comparingInt((Pod p) -> ordinal(set, p)).reversed());

    RuntimeException error = null;
    try {
      manage(set, byOrdinal, condemned, current, update);
    } catch (RuntimeException e) {
      error = e;
    }
    StatefulSetStatus status =
        computeStatus(set, pods.byIndex(Informers.BY_CONTROLLER_UID, uid), current, update);
    if (!Objects.equals(status, set.getStatus())) {
      writeStatus(set, status);
    }
    truncateHistory(set, history, current, update);
    if (error != null) {
      throw error;
    }
    int minReady = minReadySeconds(set);
    if (minReady > 0 && status.getAvailableReplicas() < status.getReadyReplicas()) {
      return Result.requeueAfter(Duration.ofSeconds(minReady));
    }
    return Result.done();
  }

  /**
   * The set's pods: owned ones that still match, plus orphans that match its selector and are named
   * as its members (adopted); owned pods that no longer match are released.
   */
  private List<Pod> claimPods(ObjectKey key, StatefulSet set) {
    LabelSelector selector = set.getSpec().getSelector();
    ControllerRefManager<Pod> refs =
        new ControllerRefManager<>(
            (pod, ownerReferences) -> {
              Pod copy = Json.MAPPER.convertValue(pod, Pod.class);
              copy.getMetadata().setOwnerReferences(ownerReferences);
              podWriter.update(copy);
            },
            set,
            pod -> ordinal(set, pod) >= 0 && Selectors.matches(selector, labels(pod)),
            "apps/v1",
            "StatefulSet",
            () -> freshGet.apply(key));
    return refs.claim(new Lister<>(pods).namespace(key.namespace()).list());
  }

  private static Map<String, String> labels(Pod pod) {
    return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
  }

  private ControllerRevision updateRevision(
      StatefulSet set, List<ControllerRevision> history, int collisionCount) {
    ControllerRevision candidate =
        Revisions.newRevision(
            set,
            "apps/v1",
            "StatefulSet",
            set.getSpec().getTemplate(),
            Revisions.nextRevision(history),
            collisionCount);
    List<ControllerRevision> sorted = Revisions.sorted(history);
    for (ControllerRevision existing : sorted) {
      if (Revisions.equalData(existing, candidate)) {
        ControllerRevision latest = sorted.get(sorted.size() - 1);
        if (existing != latest) {
          // rolling back to an earlier template: it becomes the newest revision again
          existing.setRevision(Revisions.nextRevision(history));
          return revisionWriter.update(existing);
        }
        return existing;
      }
    }
    return revisionWriter.create(candidate);
  }

  private void manage(
      StatefulSet set,
      Map<Integer, Pod> byOrdinal,
      List<Pod> condemned,
      ControllerRevision current,
      ControllerRevision update) {
    boolean ordered = !"Parallel".equals(set.getSpec().getPodManagementPolicy());
    int replicas = replicas(set);
    for (int ordinal = 0; ordinal < replicas; ordinal++) {
      Pod pod = byOrdinal.get(ordinal);
      if (pod != null && isFailedOrSucceeded(pod) && !Pods.isTerminating(pod)) {
        podWriter.delete(pod);
        event(set, "SuccessfulDelete", "delete Pod " + pod.getMetadata().getName(), true);
        if (ordered) {
          return;
        }
        continue;
      }
      if (pod == null) {
        ensureClaims(set, ordinal);
        try {
          Pod created = podWriter.create(newPod(set, ordinal, current, update));
          event(set, "SuccessfulCreate", "create Pod " + created.getMetadata().getName(), true);
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            event(
                set,
                "FailedCreate",
                "create Pod " + podName(set, ordinal) + " failed error: " + e.getMessage(),
                false);
            throw e;
          }
          // the cache has not yet seen the pod: its event will bring us back
        }
        if (ordered) {
          return;
        }
        continue;
      }
      if (ordered && (Pods.isTerminating(pod) || !isRunningAndReady(pod))) {
        return;
      }
    }
    for (Pod pod : condemned) {
      if (Pods.isTerminating(pod)) {
        if (ordered) {
          return;
        }
        continue;
      }
      if (ordered && !byOrdinal.values().stream().allMatch(StatefulSetController::isHealthy)) {
        return;
      }
      releaseOrDeleteClaimsOnScaleDown(set, pod);
      podWriter.delete(pod);
      event(set, "SuccessfulDelete", "delete Pod " + pod.getMetadata().getName(), true);
      if (ordered) {
        return;
      }
    }
    if (set.getSpec().getUpdateStrategy() != null
        && "OnDelete".equals(set.getSpec().getUpdateStrategy().getType())) {
      return;
    }
    int partition = partition(set);
    String updateName = update.getMetadata().getName();
    Integer maxUnavailable = maxUnavailable(set);
    if (maxUnavailable != null) {
      rollWithMaxUnavailable(set, byOrdinal, partition, updateName, maxUnavailable);
      return;
    }
    for (int ordinal = replicas - 1; ordinal >= partition; ordinal--) {
      Pod pod = byOrdinal.get(ordinal);
      if (pod == null) {
        return;
      }
      if (!updateName.equals(revisionOf(pod))) {
        if (!Pods.isTerminating(pod)) {
          podWriter.delete(pod);
          event(set, "SuccessfulDelete", "delete Pod " + pod.getMetadata().getName(), true);
        }
        return;
      }
      if (!isHealthy(pod)) {
        return;
      }
    }
  }

  /**
   * rollingUpdate.maxUnavailable: up to that many pods may be unavailable at once, so outdated pods
   * at or above the partition are deleted, highest ordinal first, while the budget lasts.
   */
  private void rollWithMaxUnavailable(
      StatefulSet set,
      Map<Integer, Pod> byOrdinal,
      int partition,
      String updateName,
      int maxUnavailable) {
    int replicas = replicas(set);
    int minReady = minReadySeconds(set);
    int unavailable = 0;
    for (int ordinal = 0; ordinal < replicas; ordinal++) {
      Pod pod = byOrdinal.get(ordinal);
      if (pod == null
          || Pods.isTerminating(pod)
          || !isRunningAndReady(pod)
          || !Pods.isAvailable(pod, minReady, clock.instant())) {
        unavailable++;
      }
    }
    for (int ordinal = replicas - 1;
        ordinal >= partition && unavailable < maxUnavailable;
        ordinal--) {
      Pod pod = byOrdinal.get(ordinal);
      if (pod == null || Pods.isTerminating(pod) || updateName.equals(revisionOf(pod))) {
        continue;
      }
      boolean wasAvailable =
          isRunningAndReady(pod) && Pods.isAvailable(pod, minReady, clock.instant());
      podWriter.delete(pod);
      event(set, "SuccessfulDelete", "delete Pod " + pod.getMetadata().getName(), true);
      if (wasAvailable) {
        unavailable++;
      }
    }
  }

  /** rollingUpdate.maxUnavailable scaled against replicas (rounding up, at least 1), or null. */
  static Integer maxUnavailable(StatefulSet set) {
    if (set.getSpec().getUpdateStrategy() == null
        || set.getSpec().getUpdateStrategy().getRollingUpdate() == null
        || set.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable() == null) {
      return null;
    }
    var value = set.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable();
    int scaled;
    if (value.getIntVal() != null) {
      scaled = value.getIntVal();
    } else {
      String text = value.getStrVal();
      scaled =
          text.endsWith("%")
              ? (int)
                  Math.ceil(
                      Integer.parseInt(text.substring(0, text.length() - 1))
                          * replicas(set)
                          / 100.0)
              : Integer.parseInt(text);
    }
    return Math.max(1, scaled);
  }

  /** The pod for ordinal, from the current revision below the partition, else the update one. */
  Pod newPod(StatefulSet set, int ordinal, ControllerRevision current, ControllerRevision update) {
    ControllerRevision revision = update;
    boolean rolling =
        set.getSpec().getUpdateStrategy() == null
            || !"OnDelete".equals(set.getSpec().getUpdateStrategy().getType());
    if (rolling && ordinal < partition(set)) {
      revision = current;
    }
    PodTemplateSpec template =
        revision == update ? set.getSpec().getTemplate() : Revisions.template(revision);
    String name = podName(set, ordinal);
    Pod pod =
        ClientPodControl.podFromTemplate(
            template, set, Revisions.controllerRef(set, "apps/v1", "StatefulSet"));
    ObjectMeta meta = pod.getMetadata();
    meta.setGenerateName(null);
    meta.setName(name);
    Map<String, String> labels = meta.getLabels() == null ? new HashMap<>() : meta.getLabels();
    labels.put(POD_NAME_LABEL, name);
    labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
    labels.put(Revisions.CONTROLLER_REVISION_HASH, revision.getMetadata().getName());
    meta.setLabels(labels);
    pod.getSpec().setHostname(name);
    if (set.getSpec().getServiceName() != null && !set.getSpec().getServiceName().isEmpty()) {
      pod.getSpec().setSubdomain(set.getSpec().getServiceName());
    }
    List<PersistentVolumeClaim> templates = claimTemplates(set);
    if (!templates.isEmpty()) {
      List<Volume> volumes = new ArrayList<>();
      if (pod.getSpec().getVolumes() != null) {
        for (Volume volume : pod.getSpec().getVolumes()) {
          if (templates.stream()
              .noneMatch(t -> t.getMetadata().getName().equals(volume.getName()))) {
            volumes.add(volume);
          }
        }
      }
      for (PersistentVolumeClaim claim : templates) {
        Volume volume = new Volume();
        volume.setName(claim.getMetadata().getName());
        volume.setPersistentVolumeClaim(
            new PersistentVolumeClaimVolumeSource(claimName(set, claim, ordinal), false));
        volumes.add(volume);
      }
      pod.getSpec().setVolumes(volumes);
    }
    return pod;
  }

  private void ensureClaims(StatefulSet set, int ordinal) {
    for (PersistentVolumeClaim template : claimTemplates(set)) {
      String name = claimName(set, template, ordinal);
      String key = set.getMetadata().getNamespace() + "/" + name;
      if (claims.getByKey(key) != null) {
        continue;
      }
      PersistentVolumeClaim claim = new PersistentVolumeClaim();
      ObjectMeta meta = new ObjectMeta();
      meta.setName(name);
      meta.setNamespace(set.getMetadata().getNamespace());
      Map<String, String> labels = new HashMap<>();
      if (template.getMetadata().getLabels() != null) {
        labels.putAll(template.getMetadata().getLabels());
      }
      if (set.getSpec().getSelector() != null
          && set.getSpec().getSelector().getMatchLabels() != null) {
        labels.putAll(set.getSpec().getSelector().getMatchLabels());
      }
      meta.setLabels(labels);
      meta.setAnnotations(template.getMetadata().getAnnotations());
      if ("Delete".equals(whenDeleted(set))) {
        meta.setOwnerReferences(
            new ArrayList<>(List.of(Revisions.controllerRef(set, "apps/v1", "StatefulSet"))));
      }
      claim.setMetadata(meta);
      claim.setSpec(template.getSpec());
      try {
        claimWriter.create(claim);
        event(
            set,
            "SuccessfulCreate",
            "create Claim " + name + " Pod " + podName(set, ordinal),
            true);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          event(
              set,
              "FailedCreate",
              "create Claim " + name + " failed error: " + e.getMessage(),
              false);
          throw e;
        }
      }
    }
  }

  /** whenScaled=Delete: the condemned pod becomes an owner of its claims, so they go with it. */
  private void releaseOrDeleteClaimsOnScaleDown(StatefulSet set, Pod pod) {
    if (!"Delete".equals(whenScaled(set))) {
      return;
    }
    int ordinal = ordinal(set, pod);
    for (PersistentVolumeClaim template : claimTemplates(set)) {
      String key = set.getMetadata().getNamespace() + "/" + claimName(set, template, ordinal);
      PersistentVolumeClaim claim = claims.getByKey(key);
      if (claim == null) {
        continue;
      }
      List<OwnerReference> refs =
          claim.getMetadata().getOwnerReferences() == null
              ? new ArrayList<>()
              : new ArrayList<>(claim.getMetadata().getOwnerReferences());
      if (refs.stream().anyMatch(r -> Objects.equals(r.getUid(), pod.getMetadata().getUid()))) {
        continue;
      }
      refs.add(
          new OwnerReferenceBuilder()
              .withApiVersion("v1")
              .withKind("Pod")
              .withName(pod.getMetadata().getName())
              .withUid(pod.getMetadata().getUid())
              .build());
      claim.getMetadata().setOwnerReferences(refs);
      claimWriter.update(claim);
    }
  }

  StatefulSetStatus computeStatus(
      StatefulSet set, List<Pod> owned, ControllerRevision current, ControllerRevision update) {
    int replicas = 0;
    int ready = 0;
    int available = 0;
    int currentReplicas = 0;
    int updated = 0;
    int minReady = minReadySeconds(set);
    String currentName = current.getMetadata().getName();
    String updateName = update.getMetadata().getName();
    for (Pod pod : owned) {
      if (ordinal(set, pod) < 0) {
        continue;
      }
      replicas++;
      if (isRunningAndReady(pod)) {
        ready++;
        if (Pods.isAvailable(pod, minReady, clock.instant())) {
          available++;
        }
      }
      if (!Pods.isTerminating(pod)) {
        String revision = revisionOf(pod);
        if (currentName.equals(revision)) {
          currentReplicas++;
        }
        if (updateName.equals(revision)) {
          updated++;
        }
      }
    }
    StatefulSetStatus status = new StatefulSetStatus();
    status.setReplicas(replicas);
    status.setReadyReplicas(ready);
    status.setAvailableReplicas(available);
    status.setCurrentReplicas(currentReplicas);
    status.setUpdatedReplicas(updated);
    status.setCurrentRevision(currentName);
    status.setUpdateRevision(updateName);
    status.setObservedGeneration(set.getMetadata().getGeneration());
    status.setCollisionCount(collisionCount(set));
    if (set.getStatus() != null) {
      status.setConditions(set.getStatus().getConditions());
    }
    boolean onDelete =
        set.getSpec().getUpdateStrategy() != null
            && "OnDelete".equals(set.getSpec().getUpdateStrategy().getType());
    int want = replicas(set);
    if (onDelete) {
      if (updated == want && replicas == want) {
        status.setCurrentRevision(updateName);
        status.setCurrentReplicas(updated);
      }
    } else if (updated == replicas && ready == replicas && replicas == want) {
      // the rollout is complete
      status.setCurrentRevision(updateName);
      status.setCurrentReplicas(updated);
    }
    return status;
  }

  private void truncateHistory(
      StatefulSet set,
      List<ControllerRevision> history,
      ControllerRevision current,
      ControllerRevision update) {
    int limit =
        set.getSpec().getRevisionHistoryLimit() == null
            ? 10
            : set.getSpec().getRevisionHistoryLimit();
    List<String> live = new ArrayList<>();
    live.add(current.getMetadata().getName());
    live.add(update.getMetadata().getName());
    for (Pod pod : pods.byIndex(Informers.BY_CONTROLLER_UID, set.getMetadata().getUid())) {
      live.add(revisionOf(pod));
    }
    List<ControllerRevision> old =
        Revisions.sorted(history).stream()
            .filter(r -> !live.contains(r.getMetadata().getName()))
            .toList();
    for (int i = 0; i < old.size() - limit; i++) {
      revisionWriter.delete(old.get(i));
    }
  }

  private void writeStatus(StatefulSet set, StatefulSetStatus status) {
    StatefulSet copy = new StatefulSet();
    copy.setApiVersion(set.getApiVersion());
    copy.setKind(set.getKind());
    copy.setMetadata(set.getMetadata());
    copy.setSpec(set.getSpec());
    copy.setStatus(status);
    statusWriter.updateStatus(copy);
  }

  private static StatefulSetStatus withCollisionCount(StatefulSet set, int count) {
    StatefulSetStatus status = set.getStatus() == null ? new StatefulSetStatus() : set.getStatus();
    status.setCollisionCount(count);
    return status;
  }

  private void event(StatefulSet set, String reason, String what, boolean ok) {
    recorder.event(
        set,
        ok ? EventRecorder.NORMAL : EventRecorder.WARNING,
        reason,
        ok ? what + " in StatefulSet " + set.getMetadata().getName() + " successful" : what);
  }

  // ---- helpers ----

  static String podName(StatefulSet set, int ordinal) {
    return set.getMetadata().getName() + "-" + (startOrdinal(set) + ordinal);
  }

  static String claimName(StatefulSet set, PersistentVolumeClaim template, int ordinal) {
    return template.getMetadata().getName() + "-" + podName(set, ordinal);
  }

  /** The pod's ordinal relative to spec.ordinals.start, or -1 when the name is not ours. */
  static int ordinal(StatefulSet set, Pod pod) {
    String prefix = set.getMetadata().getName() + "-";
    String name = pod.getMetadata().getName();
    if (name == null || !name.startsWith(prefix)) {
      return -1;
    }
    String suffix = name.substring(prefix.length());
    if (suffix.isEmpty() || !suffix.chars().allMatch(Character::isDigit) || suffix.length() > 9) {
      return -1;
    }
    int ordinal = Integer.parseInt(suffix) - startOrdinal(set);
    return ordinal < 0 ? -1 : ordinal;
  }

  private static int startOrdinal(StatefulSet set) {
    return set.getSpec().getOrdinals() == null || set.getSpec().getOrdinals().getStart() == null
        ? 0
        : set.getSpec().getOrdinals().getStart();
  }

  static int replicas(StatefulSet set) {
    return set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
  }

  private static int partition(StatefulSet set) {
    if (set.getSpec().getUpdateStrategy() == null
        || set.getSpec().getUpdateStrategy().getRollingUpdate() == null
        || set.getSpec().getUpdateStrategy().getRollingUpdate().getPartition() == null) {
      return 0;
    }
    return set.getSpec().getUpdateStrategy().getRollingUpdate().getPartition();
  }

  private static int minReadySeconds(StatefulSet set) {
    return set.getSpec().getMinReadySeconds() == null ? 0 : set.getSpec().getMinReadySeconds();
  }

  private static int collisionCount(StatefulSet set) {
    return set.getStatus() == null || set.getStatus().getCollisionCount() == null
        ? 0
        : set.getStatus().getCollisionCount();
  }

  private static List<PersistentVolumeClaim> claimTemplates(StatefulSet set) {
    return set.getSpec().getVolumeClaimTemplates() == null
        ? List.of()
        : set.getSpec().getVolumeClaimTemplates();
  }

  private static String whenDeleted(StatefulSet set) {
    return Optional.ofNullable(set.getSpec().getPersistentVolumeClaimRetentionPolicy())
        .map(p -> p.getWhenDeleted())
        .orElse("Retain");
  }

  private static String whenScaled(StatefulSet set) {
    return Optional.ofNullable(set.getSpec().getPersistentVolumeClaimRetentionPolicy())
        .map(p -> p.getWhenScaled())
        .orElse("Retain");
  }

  static String revisionOf(Pod pod) {
    return pod.getMetadata().getLabels() == null
        ? null
        : pod.getMetadata().getLabels().get(Revisions.CONTROLLER_REVISION_HASH);
  }

  private static boolean sameName(ControllerRevision a, ControllerRevision b) {
    return a.getMetadata().getName().equals(b.getMetadata().getName());
  }

  private static boolean isFailedOrSucceeded(Pod pod) {
    String phase = Pods.phase(pod);
    return "Failed".equals(phase) || "Succeeded".equals(phase);
  }

  static boolean isRunningAndReady(Pod pod) {
    return "Running".equals(Pods.phase(pod)) && Pods.isReady(pod);
  }

  private static boolean isHealthy(Pod pod) {
    return isRunningAndReady(pod) && !Pods.isTerminating(pod);
  }
}
