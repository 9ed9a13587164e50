package dev.skiff.controllers.daemonset;

import dev.skiff.api.Json;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.history.Revisions;
import dev.skiff.controllers.pods.ClientPodControl;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.replicaset.StatusWriter;
import dev.skiff.controllers.runtime.ControllerExpectations;
import dev.skiff.controllers.runtime.Informers;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAffinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs one pod of a DaemonSet on every eligible node. Pods are not bound by the controller: each
 * carries a required node affinity term matching the node's metadata.name, and the scheduler places
 * it. Updates roll node by node within maxUnavailable, or surge within maxSurge, or wait for pods
 * to be deleted (OnDelete).
 */
public final class DaemonSetController implements Reconciler {
  public static final String POD_TEMPLATE_GENERATION = "pod-template-generation";

  private final Indexer<DaemonSet> daemonSets;
  private final Indexer<Pod> pods;
  private final Indexer<Node> nodes;
  private final Indexer<ControllerRevision> revisions;
  private final ObjectWriter<Pod> podWriter;
  private final ObjectWriter<ControllerRevision> revisionWriter;
  private final StatusWriter<DaemonSet> statusWriter;
  private final EventRecorder recorder;
  private final ControllerExpectations expectations;
  private final FailedPodBackoff failedPodsBackoff;
  private final RateLimitingQueue<ObjectKey> queue;
  private final InstantSource clock;

  /** What one sync decided: nodes that need a pod, pods to delete. */
  private static final class Plan {
    private final List<String> create = new ArrayList<>();
    private final List<Pod> delete = new ArrayList<>();
    private Duration retryAfter;

    List<String> create() {
      return create;
    }

    List<Pod> delete() {
      return delete;
    }

    void retryAfter(Duration wait) {
      if (retryAfter == null || wait.compareTo(retryAfter) < 0) {
        retryAfter = wait;
      }
    }

    void delete(Pod pod) {
      if (!delete.contains(pod)) {
        delete.add(pod);
      }
    }

    boolean isEmpty() {
      return create.isEmpty() && delete.isEmpty();
    }
  }

  public DaemonSetController(
      Indexer<DaemonSet> daemonSets,
      Indexer<Pod> pods,
      Indexer<Node> nodes,
      Indexer<ControllerRevision> revisions,
      ObjectWriter<Pod> podWriter,
      ObjectWriter<ControllerRevision> revisionWriter,
      StatusWriter<DaemonSet> statusWriter,
      EventRecorder recorder,
      ControllerExpectations expectations,
      RateLimitingQueue<ObjectKey> queue,
      InstantSource clock) {
    this.daemonSets = daemonSets;
    this.pods = pods;
    this.nodes = nodes;
    this.revisions = revisions;
    this.podWriter = podWriter;
    this.revisionWriter = revisionWriter;
    this.statusWriter = statusWriter;
    this.recorder = recorder;
    this.expectations = expectations;
    this.queue = queue;
    this.clock = clock;
    this.failedPodsBackoff = new FailedPodBackoff(clock);
  }

  public ResourceEventHandler<DaemonSet> daemonSetHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(DaemonSet ds) {
        queue.add(ObjectKey.of(ds));
      }

      @Override
      public void onUpdate(DaemonSet oldDs, DaemonSet newDs) {
        queue.add(ObjectKey.of(newDs));
      }

      @Override
      public void onDelete(DaemonSet ds, boolean deletedFinalStateUnknown) {
        expectations.delete(ObjectKey.of(ds));
        queue.add(ObjectKey.of(ds));
      }
    };
  }

  public ResourceEventHandler<Pod> podHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        ObjectKey owner = enqueueOwner(pod);
        if (owner != null) {
          if (Pods.isTerminating(pod)) {
            expectations.deletionObserved(owner, Pods.cacheKey(pod));
          } else {
            expectations.creationObserved(owner);
          }
        }
      }

      @Override
      public void onUpdate(Pod oldPod, Pod newPod) {
        ObjectKey owner = enqueueOwner(newPod);
        if (owner != null && Pods.isTerminating(newPod)) {
          expectations.deletionObserved(owner, Pods.cacheKey(newPod));
        }
      }

      @Override
      public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
        ObjectKey owner = enqueueOwner(pod);
        if (owner != null) {
          expectations.deletionObserved(owner, Pods.cacheKey(pod));
        }
      }
    };
  }

  /** Any node change may change where daemons should run: every DaemonSet is looked at again. */
  public ResourceEventHandler<Node> nodeHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        enqueueAll();
      }

      @Override
      public void onUpdate(Node oldNode, Node newNode) {
        if (!Objects.equals(oldNode.getMetadata().getLabels(), newNode.getMetadata().getLabels())
            || !Objects.equals(
                Json.MAPPER.valueToTree(oldNode.getSpec()),
                Json.MAPPER.valueToTree(newNode.getSpec()))) {
          enqueueAll();
        }
      }

      @Override
      public void onDelete(Node node, boolean deletedFinalStateUnknown) {
        enqueueAll();
      }
    };
  }

  ObjectKey enqueueOwner(Pod pod) {
    ObjectKey owner =
        Pods.controllerRef(pod)
            .filter(ref -> "DaemonSet".equals(ref.getKind()))
            .map(ref -> new ObjectKey(pod.getMetadata().getNamespace(), ref.getName()))
            .orElse(null);
    if (owner != null) {
      queue.add(owner);
    }
    return owner;
  }

  private void enqueueAll() {
    for (DaemonSet ds : daemonSets.list()) {
      queue.add(ObjectKey.of(ds));
    }
  }

  // ---- reconcile ----

  @Override
  public Result reconcile(ObjectKey key) {
    DaemonSet ds = daemonSets.getByKey(key.cacheKey());
    if (ds == null) {
      expectations.delete(key);
      return Result.done();
    }
    if (ds.getMetadata().getDeletionTimestamp() != null) {
      return Result.done();
    }
    String uid = ds.getMetadata().getUid();
    List<ControllerRevision> history = revisions.byIndex(Informers.BY_CONTROLLER_UID, uid);
    int collisionCount = collisionCount(ds);
    ControllerRevision current;
    try {
      current = currentRevision(ds, history, collisionCount);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        DaemonSetStatus status = ds.getStatus() == null ? new DaemonSetStatus() : ds.getStatus();
        status.setCollisionCount(collisionCount + 1);
        writeStatus(ds, status);
      }
      throw e;
    }
    String hash = current.getMetadata().getLabels().get(Revisions.HASH_LABEL);

    Map<String, List<Pod>> byNode = podsByNode(ds);
    List<Node> allNodes = new ArrayList<>(new Lister<>(nodes).list());
    allNodes.sort(Comparator.comparing(n -> n.getMetadata().getName()));

    RuntimeException error = null;
    Duration retryAfter = null;
    if (expectations.satisfied(key)) {
      Plan plan = new Plan();
      manage(ds, allNodes, byNode, hash, plan);
      if (plan.isEmpty() && isRollingUpdate(ds)) {
        // the update moves on once the cache reflects the last sync's writes
        rollingUpdate(ds, allNodes, byNode, hash, plan);
      }
      error = execute(key, ds, plan, hash);
      retryAfter = plan.retryAfter;
    }
    DaemonSetStatus status = computeStatus(ds, allNodes, podsByNode(ds), hash);
    if (!Objects.equals(status, ds.getStatus())) {
      writeStatus(ds, status);
    }
    truncateHistory(ds, history, current);
    if (error != null) {
      throw error;
    }
    if (retryAfter != null) {
      return Result.requeueAfter(retryAfter);
    }
    int minReady = minReadySeconds(ds);
    if (minReady > 0 && status.getNumberAvailable() < status.getNumberReady()) {
      return Result.requeueAfter(Duration.ofSeconds(minReady));
    }
    return Result.done();
  }

  private ControllerRevision currentRevision(
      DaemonSet ds, List<ControllerRevision> history, int collisionCount) {
    ControllerRevision candidate =
        Revisions.newRevision(
            ds,
            "apps/v1",
            "DaemonSet",
            ds.getSpec().getTemplate(),
            Revisions.nextRevision(history),
            collisionCount);
    List<ControllerRevision> sorted = Revisions.sorted(history);
    for (ControllerRevision existing : sorted) {
      if (Revisions.equalData(existing, candidate)) {
        if (existing != sorted.get(sorted.size() - 1)) {
          existing.setRevision(Revisions.nextRevision(history));
          return revisionWriter.update(existing);
        }
        return existing;
      }
    }
    return revisionWriter.create(candidate);
  }

  /** Active pods of the DaemonSet, by the node they run on or are meant for. */
  private Map<String, List<Pod>> podsByNode(DaemonSet ds) {
    Map<String, List<Pod>> byNode = new TreeMap<>();
    for (Pod pod : pods.byIndex(Informers.BY_CONTROLLER_UID, ds.getMetadata().getUid())) {
      if (Pods.isTerminating(pod)) {
        continue;
      }
      String node = targetNode(pod);
      if (node != null) {
        byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(pod);
      }
    }
    byNode.values().forEach(list -> list.sort(Comparator.comparing(DaemonSetController::created)));
    return byNode;
  }

  private RuntimeException execute(ObjectKey key, DaemonSet ds, Plan plan, String hash) {
    if (plan.isEmpty()) {
      return null;
    }
    Set<String> deleteKeys = new HashSet<>();
    plan.delete().forEach(pod -> deleteKeys.add(Pods.cacheKey(pod)));
    expectations.expect(key, plan.create().size(), deleteKeys);
    RuntimeException first = null;
    for (String node : plan.create()) {
      try {
        createPod(ds, node, hash);
      } catch (RuntimeException e) {
        // this creation will never be observed
        expectations.lowerCreations(key, 1);
        first = first == null ? e : first;
      }
    }
    for (Pod pod : plan.delete()) {
      try {
        deletePod(ds, pod);
      } catch (RuntimeException e) {
        // the deletion will not be observed as such
        expectations.deletionObserved(key, Pods.cacheKey(pod));
        if (!(e instanceof KubernetesClientException k && k.getCode() == 404)) {
          first = first == null ? e : first;
        }
      }
    }
    return first;
  }

  private void manage(
      DaemonSet ds, List<Node> allNodes, Map<String, List<Pod>> byNode, String hash, Plan plan) {
    boolean surge = isRollingUpdate(ds) && maxSurge(ds, desired(ds, allNodes)) > 0;
    for (Node node : allNodes) {
      String name = node.getMetadata().getName();
      NodeEligibility.Decision decision =
          NodeEligibility.decide(ds.getSpec().getTemplate().getSpec(), node);
      List<Pod> onNode = byNode.getOrDefault(name, List.of());
      if (decision.shouldRun() && onNode.isEmpty()) {
        plan.create().add(name);
        continue;
      }
      if (!decision.shouldContinueRunning()) {
        for (Pod pod : onNode) {
          plan.delete(pod);
        }
        continue;
      }
      List<Pod> failed = onNode.stream().filter(p -> "Failed".equals(Pods.phase(p))).toList();
      if (!failed.isEmpty()) {
        // a failed daemon pod is replaced, with an exponential delay per node
        String backoffKey = ds.getMetadata().getUid() + "/" + name;
        Duration wait = failedPodsBackoff.remaining(backoffKey);
        if (wait.isZero()) {
          failedPodsBackoff.next(backoffKey);
          failed.forEach(plan::delete);
        } else {
          plan.retryAfter(wait);
        }
      }
      List<Pod> running = onNode.stream().filter(p -> !failed.contains(p)).toList();
      if (running.size() > 1) {
        List<Pod> keep = new ArrayList<>();
        if (surge) {
          running.stream()
              .filter(p -> hash.equals(revisionHash(p)))
              .findFirst()
              .ifPresent(keep::add);
          running.stream()
              .filter(p -> !hash.equals(revisionHash(p)))
              .findFirst()
              .ifPresent(keep::add);
        } else {
          keep.add(running.get(0));
        }
        for (Pod pod : running) {
          if (!keep.contains(pod)) {
            plan.delete(pod);
          }
        }
      }
    }
  }

  private void rollingUpdate(
      DaemonSet ds, List<Node> allNodes, Map<String, List<Pod>> byNode, String hash, Plan plan) {
    int desired = desired(ds, allNodes);
    int maxSurge = maxSurge(ds, desired);
    int maxUnavailable = maxUnavailable(ds, desired);
    Instant now = clock.instant();
    int minReady = minReadySeconds(ds);
    if (maxSurge == 0) {
      int unavailable = 0;
      List<Pod> oldAvailable = new ArrayList<>();
      List<Pod> oldUnavailable = new ArrayList<>();
      for (Node node : allNodes) {
        if (!NodeEligibility.decide(ds.getSpec().getTemplate().getSpec(), node).shouldRun()) {
          continue;
        }
        List<Pod> onNode = byNode.getOrDefault(node.getMetadata().getName(), List.of());
        if (onNode.isEmpty()) {
          unavailable++;
          continue;
        }
        Pod pod = onNode.get(0);
        boolean available = Pods.isAvailable(pod, minReady, now);
        if (!available) {
          unavailable++;
        }
        if (!hash.equals(revisionHash(pod))) {
          (available ? oldAvailable : oldUnavailable).add(pod);
        }
      }
      for (Pod pod : oldUnavailable) {
        plan.delete(pod);
      }
      for (Pod pod : oldAvailable) {
        if (unavailable >= maxUnavailable) {
          break;
        }
        plan.delete(pod);
        unavailable++;
      }
      return;
    }
    int surging = 0;
    List<String> candidates = new ArrayList<>();
    for (Node node : allNodes) {
      if (!NodeEligibility.decide(ds.getSpec().getTemplate().getSpec(), node).shouldRun()) {
        continue;
      }
      String name = node.getMetadata().getName();
      List<Pod> onNode = byNode.getOrDefault(name, List.of());
      Pod updated =
          onNode.stream().filter(p -> hash.equals(revisionHash(p))).findFirst().orElse(null);
      Pod old = onNode.stream().filter(p -> !hash.equals(revisionHash(p))).findFirst().orElse(null);
      if (old == null) {
        continue;
      }
      if (updated != null) {
        if (Pods.isAvailable(updated, minReady, now)) {
          // the replacement is available: the old pod can go
          plan.delete(old);
        } else {
          surging++;
        }
        continue;
      }
      if (!Pods.isAvailable(old, minReady, now)) {
        plan.delete(old);
        continue;
      }
      candidates.add(name);
    }
    for (String name : candidates) {
      if (surging >= maxSurge) {
        break;
      }
      plan.create().add(name);
      surging++;
    }
  }

  /** The pod for a node: template, revision labels, default tolerations, node-name affinity. */
  Pod newPod(DaemonSet ds, String nodeName, String hash) {
    PodTemplateSpec template = ds.getSpec().getTemplate();
    Pod pod =
        ClientPodControl.podFromTemplate(
            template, ds, Revisions.controllerRef(ds, "apps/v1", "DaemonSet"));
    Map<String, String> labels =
        pod.getMetadata().getLabels() == null ? new HashMap<>() : pod.getMetadata().getLabels();
    labels.put(Revisions.CONTROLLER_REVISION_HASH, hash);
    Long generation = ds.getMetadata().getGeneration();
    labels.put(POD_TEMPLATE_GENERATION, Long.toString(generation == null ? 0 : generation));
    pod.getMetadata().setLabels(labels);
    pod.getSpec().setTolerations(NodeEligibility.withDefaultTolerations(pod.getSpec()));
    pod.getSpec().setAffinity(withNodeNameAffinity(pod.getSpec().getAffinity(), nodeName));
    return pod;
  }

  /** The affinity with its required node selector replaced by metadata.name In [node]. */
  static Affinity withNodeNameAffinity(Affinity affinity, String nodeName) {
    Affinity result = affinity == null ? new Affinity() : affinity;
    NodeAffinity nodeAffinity =
        result.getNodeAffinity() == null ? new NodeAffinity() : result.getNodeAffinity();
    NodeSelectorRequirement requirement = new NodeSelectorRequirement();
    requirement.setKey("metadata.name");
    requirement.setOperator("In");
    requirement.setValues(new ArrayList<>(List.of(nodeName)));
    NodeSelectorTerm term = new NodeSelectorTerm();
    term.setMatchFields(new ArrayList<>(List.of(requirement)));
    NodeSelector selector = new NodeSelector();
    selector.setNodeSelectorTerms(new ArrayList<>(List.of(term)));
    nodeAffinity.setRequiredDuringSchedulingIgnoredDuringExecution(selector);
    result.setNodeAffinity(nodeAffinity);
    return result;
  }

  /** spec.nodeName, or the node named by the pod's metadata.name affinity term. */
  static String targetNode(Pod pod) {
    if (pod.getSpec() == null) {
      return null;
    }
    if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
      return pod.getSpec().getNodeName();
    }
    Affinity affinity = pod.getSpec().getAffinity();
    if (affinity == null
        || affinity.getNodeAffinity() == null
        || affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null
        || affinity
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
            == null) {
      return null;
    }
    for (NodeSelectorTerm term :
        affinity
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms()) {
      if (term.getMatchFields() == null) {
        continue;
      }
      for (NodeSelectorRequirement requirement : term.getMatchFields()) {
        if ("metadata.name".equals(requirement.getKey())
            && "In".equals(requirement.getOperator())
            && requirement.getValues() != null
            && requirement.getValues().size() == 1) {
          return requirement.getValues().get(0);
        }
      }
    }
    return null;
  }

  private void createPod(DaemonSet ds, String nodeName, String hash) {
    try {
      Pod created = podWriter.create(newPod(ds, nodeName, hash));
      recorder.event(
          ds,
          EventRecorder.NORMAL,
          "SuccessfulCreate",
          "Created pod: " + created.getMetadata().getName());
    } catch (KubernetesClientException e) {
      recorder.event(
          ds, EventRecorder.WARNING, "FailedCreate", "Error creating: " + e.getMessage());
      throw e;
    }
  }

  private void deletePod(DaemonSet ds, Pod pod) {
    try {
      podWriter.delete(pod);
      recorder.event(
          ds,
          EventRecorder.NORMAL,
          "SuccessfulDelete",
          "Deleted pod: " + pod.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        recorder.event(
            ds, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + e.getMessage());
        throw e;
      }
    }
  }

  DaemonSetStatus computeStatus(
      DaemonSet ds, List<Node> allNodes, Map<String, List<Pod>> byNode, String hash) {
    int desired = 0;
    int scheduled = 0;
    int misscheduled = 0;
    int ready = 0;
    int available = 0;
    int updated = 0;
    Instant now = clock.instant();
    int minReady = minReadySeconds(ds);
    for (Node node : allNodes) {
      NodeEligibility.Decision decision =
          NodeEligibility.decide(ds.getSpec().getTemplate().getSpec(), node);
      List<Pod> onNode = byNode.getOrDefault(node.getMetadata().getName(), List.of());
      if (!decision.shouldRun()) {
        if (!onNode.isEmpty()) {
          misscheduled++;
        }
        continue;
      }
      desired++;
      if (onNode.isEmpty()) {
        continue;
      }
      scheduled++;
      Pod pod =
          onNode.stream()
              .filter(p -> hash.equals(revisionHash(p)) && Pods.isReady(p))
              .findFirst()
              .orElse(onNode.get(0));
      if (Pods.isReady(pod)) {
        ready++;
        if (Pods.isAvailable(pod, minReady, now)) {
          available++;
        }
      }
      if (onNode.stream().anyMatch(p -> hash.equals(revisionHash(p)))) {
        updated++;
      }
    }
    DaemonSetStatus status = new DaemonSetStatus();
    status.setDesiredNumberScheduled(desired);
    status.setCurrentNumberScheduled(scheduled);
    status.setNumberMisscheduled(misscheduled);
    status.setNumberReady(ready);
    status.setNumberAvailable(available);
    status.setNumberUnavailable(desired - available);
    status.setUpdatedNumberScheduled(updated);
    status.setObservedGeneration(ds.getMetadata().getGeneration());
    status.setCollisionCount(collisionCount(ds));
    if (ds.getStatus() != null) {
      status.setConditions(ds.getStatus().getConditions());
    }
    return status;
  }

  private void truncateHistory(
      DaemonSet ds, List<ControllerRevision> history, ControllerRevision current) {
    int limit =
        ds.getSpec().getRevisionHistoryLimit() == null
            ? 10
            : ds.getSpec().getRevisionHistoryLimit();
    List<String> liveHashes = new ArrayList<>();
    for (Pod pod : pods.byIndex(Informers.BY_CONTROLLER_UID, ds.getMetadata().getUid())) {
      liveHashes.add(revisionHash(pod));
    }
    List<ControllerRevision> old =
        Revisions.sorted(history).stream()
            .filter(r -> !r.getMetadata().getName().equals(current.getMetadata().getName()))
            .filter(
                r ->
                    r.getMetadata().getLabels() == null
                        || !liveHashes.contains(
                            r.getMetadata().getLabels().get(Revisions.HASH_LABEL)))
            .toList();
    for (int i = 0; i < old.size() - limit; i++) {
      revisionWriter.delete(old.get(i));
    }
  }

  private void writeStatus(DaemonSet ds, DaemonSetStatus status) {
    DaemonSet copy = new DaemonSet();
    copy.setApiVersion(ds.getApiVersion());
    copy.setKind(ds.getKind());
    copy.setMetadata(ds.getMetadata());
    copy.setSpec(ds.getSpec());
    copy.setStatus(status);
    statusWriter.updateStatus(copy);
  }

  // ---- helpers ----

  private static int desired(DaemonSet ds, List<Node> allNodes) {
    int desired = 0;
    for (Node node : allNodes) {
      if (NodeEligibility.decide(ds.getSpec().getTemplate().getSpec(), node).shouldRun()) {
        desired++;
      }
    }
    return desired;
  }

  static boolean isRollingUpdate(DaemonSet ds) {
    return ds.getSpec().getUpdateStrategy() == null
        || !"OnDelete".equals(ds.getSpec().getUpdateStrategy().getType());
  }

  static int maxSurge(DaemonSet ds, int desired) {
    IntOrString value =
        ds.getSpec().getUpdateStrategy() == null
                || ds.getSpec().getUpdateStrategy().getRollingUpdate() == null
            ? null
            : ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge();
    return scaled(value, desired, 0);
  }

  /** maxUnavailable scaled (rounding up); 1 when both it and maxSurge are zero. */
  static int maxUnavailable(DaemonSet ds, int desired) {
    IntOrString value =
        ds.getSpec().getUpdateStrategy() == null
                || ds.getSpec().getUpdateStrategy().getRollingUpdate() == null
            ? null
            : ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable();
    int unavailable = scaled(value, desired, 1);
    if (unavailable == 0 && maxSurge(ds, desired) == 0) {
      return 1;
    }
    return unavailable;
  }

  private static int scaled(IntOrString value, int total, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String text = value.getStrVal();
    if (text != null && text.endsWith("%")) {
      int percent = Integer.parseInt(text.substring(0, text.length() - 1));
      return (int) Math.ceil(percent * total / 100.0);
    }
    return text == null ? fallback : Integer.parseInt(text);
  }

  private static int minReadySeconds(DaemonSet ds) {
    return ds.getSpec().getMinReadySeconds() == null ? 0 : ds.getSpec().getMinReadySeconds();
  }

  private static int collisionCount(DaemonSet ds) {
    return ds.getStatus() == null || ds.getStatus().getCollisionCount() == null
        ? 0
        : ds.getStatus().getCollisionCount();
  }

  static String revisionHash(Pod pod) {
    return pod.getMetadata().getLabels() == null
        ? null
        : pod.getMetadata().getLabels().get(Revisions.CONTROLLER_REVISION_HASH);
  }

  private static String created(Pod pod) {
    return pod.getMetadata().getCreationTimestamp() == null
        ? ""
        : pod.getMetadata().getCreationTimestamp();
  }
}
