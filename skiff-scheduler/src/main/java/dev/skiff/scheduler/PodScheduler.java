package dev.skiff.scheduler;

import dev.skiff.scheduler.cache.SchedulerCache;
import dev.skiff.scheduler.client.ClusterClient;
import dev.skiff.scheduler.client.ClusterClient.SchedulerEvent;
import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FitError;
import dev.skiff.scheduler.framework.Framework;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.Nominator;
import dev.skiff.scheduler.framework.Parallelizer;
import dev.skiff.scheduler.framework.Plugin;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PostFilterResult;
import dev.skiff.scheduler.framework.PreFilterResult;
import dev.skiff.scheduler.framework.ProfileConfig;
import dev.skiff.scheduler.framework.Snapshot;
import dev.skiff.scheduler.plugins.PluginRegistry;
import dev.skiff.scheduler.queue.QueuedPodInfo;
import dev.skiff.scheduler.queue.SchedulingQueue;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduling algorithm and its state: cache, queue and profiles. Informer callbacks feed it
 * ({@code on*} methods); {@link #scheduleOne} runs one scheduling cycle and hands binding to {@code
 * bindExecutor}. Everything else (informers, threads, leader election) is {@link Scheduler}'s job,
 * so this class runs deterministically in tests.
 */
final class PodScheduler {
  private static final Logger log = LoggerFactory.getLogger(PodScheduler.class);
  static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
  static final int MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
  static final String NO_NODES_AVAILABLE = "no nodes available to schedule pods";

  private final InstantSource clock;
  private final ClusterClient client;
  private final Listers listers;
  private final SchedulerConfiguration config;
  private final Parallelizer parallelizer;
  private final RandomGenerator random;
  private final Executor bindExecutor;
  private final SchedulerCache cache;
  private final SchedulingQueue queue;
  private final Snapshot snapshot = new Snapshot();
  private final Map<String, Framework> profiles = new LinkedHashMap<>();
  private final Map<String, Set<ClusterEvent>> pluginEvents = new HashMap<>();
  private final SchedulerMetrics metrics;

  /** Pods popped and not yet bound or requeued, mapped to whether they were deleted meanwhile. */
  private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();

  private int nextStartNodeIndex;

  PodScheduler(
      ClusterClient client,
      Listers listers,
      SchedulerConfiguration config,
      InstantSource clock,
      Parallelizer parallelizer,
      RandomGenerator random,
      Executor bindExecutor) {
    this.client = client;
    this.listers = listers;
    this.config = config;
    this.clock = clock;
    this.parallelizer = parallelizer;
    this.random = random;
    this.bindExecutor = bindExecutor;
    this.cache = new SchedulerCache(clock);
    Nominator nominator = new DeferredNominator();
    Handle shared = new SharedHandle(nominator);
    for (ProfileConfig p : config.profiles()) {
      Framework fwk = new Framework(p, PluginRegistry.inTree(), shared);
      profiles.put(p.schedulerName(), fwk);
      for (Plugin plugin : fwk.plugins().values()) {
        if (plugin instanceof EnqueueExtensions e) {
          pluginEvents.put(plugin.name(), e.eventsToRegister());
        }
      }
    }
    Framework first = profiles.values().iterator().next();
    this.queue =
        new SchedulingQueue(
            first.queueOrder(),
            pod -> {
              Framework fwk = profiles.get(schedulerName(pod.pod()));
              return fwk == null ? PluginStatus.SUCCESS : fwk.runPreEnqueue(pod);
            },
            pluginEvents::get,
            clock,
            config.podInitialBackoff(),
            config.podMaxBackoff(),
            SchedulingQueue.DEFAULT_MAX_UNSCHEDULABLE);
    ((DeferredNominator) nominator).queue = queue;
    this.metrics = new SchedulerMetrics(queue::pendingCounts);
  }

  SchedulingQueue queue() {
    return queue;
  }

  SchedulerCache cache() {
    return cache;
  }

  SchedulerMetrics metrics() {
    return metrics;
  }

  static String schedulerName(Pod pod) {
    String name = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
    return name == null || name.isEmpty() ? SchedulerConfiguration.DEFAULT_SCHEDULER_NAME : name;
  }

  /** The pod's priority: spec.priority, else its PriorityClass, else the global default, else 0. */
  PodInfo podInfo(Pod pod) {
    Integer priority = pod.getSpec() == null ? null : pod.getSpec().getPriority();
    if (priority == null) {
      String className = pod.getSpec() == null ? null : pod.getSpec().getPriorityClassName();
      if (className != null && !className.isEmpty()) {
        PriorityClass pc = listers.priorityClasses().get(null, className);
        priority = pc == null ? null : pc.getValue();
      } else {
        for (PriorityClass pc : listers.priorityClasses().list(null)) {
          if (Boolean.TRUE.equals(pc.getGlobalDefault())) {
            priority = pc.getValue();
          }
        }
      }
    }
    return PodInfo.of(pod, priority == null ? 0 : priority);
  }

  private static boolean assigned(Pod pod) {
    return pod.getSpec() != null
        && pod.getSpec().getNodeName() != null
        && !pod.getSpec().getNodeName().isEmpty();
  }

  private static boolean terminal(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private boolean responsibleFor(Pod pod) {
    return profiles.containsKey(schedulerName(pod));
  }

  // ---- informer callbacks ----

  void onPodAdd(Pod pod) {
    if (assigned(pod)) {
      if (!terminal(pod)) {
        PodInfo info = podInfo(pod);
        cache.addPod(info);
        queue.assignedPodAdded(info, listers.namespaceLabels(info.namespace()));
      }
    } else if (responsibleFor(pod) && !terminal(pod)) {
      queue.add(podInfo(pod));
    }
  }

  void onPodUpdate(Pod oldPod, Pod newPod) {
    if (assigned(newPod)) {
      PodInfo info = podInfo(newPod);
      if (!assigned(oldPod)) {
        queue.delete(info);
      }
      if (terminal(newPod)) {
        cache.removePod(info);
        queue.moveAllToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_DELETE);
        return;
      }
      if (assigned(oldPod)) {
        cache.updatePod(info);
      } else {
        cache.addPod(info);
      }
      queue.assignedPodAdded(info, listers.namespaceLabels(info.namespace()));
      return;
    }
    if (!responsibleFor(newPod)) {
      return;
    }
    PodInfo info = podInfo(newPod);
    if (terminal(newPod)) {
      queue.delete(info);
    } else if (!cache.isAssumed(info.uid())) {
      queue.update(podInfo(oldPod), info);
    }
  }

  void onPodDelete(Pod pod) {
    PodInfo info = podInfo(pod);
    if (assigned(pod)) {
      cache.removePod(info);
      queue.moveAllToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_DELETE);
    } else {
      queue.delete(info);
      inFlight.replace(info.uid(), true);
      for (Framework fwk : profiles.values()) {
        Framework.WaitingPod waiting = fwk.waitingPod(info.uid());
        if (waiting != null) {
          waiting.reject("", "pod deleted");
        }
      }
    }
  }

  void onNodeAdd(Node node) {
    cache.addNode(node);
    queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_ADD);
  }

  void onNodeUpdate(Node oldNode, Node newNode) {
    cache.updateNode(newNode);
    if (schedulingPropertiesChanged(oldNode, newNode)) {
      queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_UPDATE);
    }
  }

  void onNodeDelete(Node node) {
    cache.removeNode(node);
  }

  void onClusterEvent(ClusterEvent event) {
    queue.moveAllToActiveOrBackoff(event);
  }

  private static boolean schedulingPropertiesChanged(Node a, Node b) {
    return !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
        || !Objects.equals(a.getSpec(), b.getSpec())
        || !Objects.equals(
            a.getStatus() == null ? null : a.getStatus().getAllocatable(),
            b.getStatus() == null ? null : b.getStatus().getAllocatable())
        || !Objects.equals(
            a.getStatus() == null ? null : a.getStatus().getImages(),
            b.getStatus() == null ? null : b.getStatus().getImages());
  }

  // ---- scheduling ----

  /** Schedules the next active pod, waiting at most {@code timeout}; false when none came. */
  boolean scheduleOne(Duration timeout) throws InterruptedException {
    QueuedPodInfo q = queue.poll(timeout);
    if (q == null) {
      return false;
    }
    schedule(q);
    return true;
  }

  private record Diagnosis(
      Map<String, PluginStatus> nodeToStatus,
      Set<String> unschedulablePlugins,
      String preFilterMessage) {}

  /** A failed cycle: unschedulable (with a diagnosis) or an error. */
  private static final class CycleFailure extends Exception {
    final Diagnosis diagnosis;
    final int numAllNodes;
    final boolean error;

    CycleFailure(String message, Diagnosis diagnosis, int numAllNodes, boolean error) {
      super(message, null, false, false);
      this.diagnosis = diagnosis;
      this.numAllNodes = numAllNodes;
      this.error = error;
    }
  }

  private void schedule(QueuedPodInfo q) {
    PodInfo pod = q.podInfo();
    Framework fwk = profiles.get(schedulerName(pod.pod()));
    if (fwk == null || pod.isTerminating() || cache.contains(pod.uid())) {
      return;
    }
    long cycle = queue.schedulingCycle();
    Instant start = clock.instant();
    inFlight.put(pod.uid(), false);
    CycleState state = new CycleState();
    String host;
    try {
      host = schedulePod(fwk, state, pod);
    } catch (CycleFailure f) {
      handleCycleFailure(fwk, state, q, f, cycle, start);
      return;
    } catch (RuntimeException e) {
      log.warn("msg=\"scheduling cycle failed\" pod={} error=\"{}\"", pod, e.getMessage());
      handleFailure(
          fwk,
          q,
          "SchedulerError",
          e.getMessage(),
          Set.of(),
          null,
          cycle,
          start,
          SchedulerMetrics.ERROR);
      return;
    }
    cache.assumePod(pod, host);
    queue.deleteNominatedPodIfExists(pod);
    PluginStatus s = fwk.runReserve(state, pod, host);
    if (!s.isSuccess()) {
      fwk.runUnreserve(state, pod, host);
      cache.forgetPod(pod);
      failAfterAssume(fwk, q, s, cycle, start);
      return;
    }
    s = fwk.runPermit(state, pod, host);
    if (!s.isSuccess() && s.code() != PluginStatus.Code.WAIT) {
      fwk.runUnreserve(state, pod, host);
      cache.forgetPod(pod);
      failAfterAssume(fwk, q, s, cycle, start);
      return;
    }
    bindExecutor.execute(() -> bindingCycle(fwk, state, q, host, cycle, start));
  }

  private void failAfterAssume(
      Framework fwk, QueuedPodInfo q, PluginStatus s, long cycle, Instant start) {
    boolean rejected = s.isRejected();
    handleFailure(
        fwk,
        q,
        rejected ? "Unschedulable" : "SchedulerError",
        s.message(),
        rejected && !s.plugin().isEmpty() ? Set.of(s.plugin()) : Set.of(),
        null,
        cycle,
        start,
        rejected ? SchedulerMetrics.UNSCHEDULABLE : SchedulerMetrics.ERROR);
  }

  private void bindingCycle(
      Framework fwk, CycleState state, QueuedPodInfo q, String host, long cycle, Instant start) {
    PodInfo pod = q.podInfo();
    PluginStatus s;
    try {
      s = fwk.waitOnPermit(pod);
      if (s.isSuccess()) {
        s = fwk.runPreBind(state, pod, host);
      }
      if (s.isSuccess()) {
        s = fwk.runBind(state, pod, host);
      }
    } catch (RuntimeException e) {
      s = PluginStatus.error(e.getMessage());
    }
    if (!s.isSuccess()) {
      fwk.runUnreserve(state, pod, host);
      cache.forgetPod(pod);
      queue.moveAllToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_DELETE);
      failAfterAssume(fwk, q, s, cycle, start);
      return;
    }
    cache.finishBinding(pod);
    inFlight.remove(pod.uid());
    metrics.attempt(SchedulerMetrics.SCHEDULED, fwk.profileName(), seconds(start));
    metrics.podScheduled(q.attempts(), seconds(q.initialAttemptTimestamp()));
    client.recordEvent(
        new SchedulerEvent(
            pod.pod(),
            fwk.profileName(),
            "Normal",
            "Scheduled",
            "Binding",
            "Successfully assigned " + pod.namespace() + "/" + pod.name() + " to " + host));
    fwk.runPostBind(state, pod, host);
  }

  private double seconds(Instant start) {
    return Duration.between(start, clock.instant()).toNanos() / 1e9;
  }

  private void handleCycleFailure(
      Framework fwk, CycleState state, QueuedPodInfo q, CycleFailure f, long cycle, Instant start) {
    if (f.error) {
      handleFailure(
          fwk,
          q,
          "SchedulerError",
          f.getMessage(),
          Set.of(),
          null,
          cycle,
          start,
          SchedulerMetrics.ERROR);
      return;
    }
    Diagnosis d = f.diagnosis;
    String postFilterMessage = "";
    String nominated = null;
    if (fwk.hasPostFilterPlugins()) {
      metrics.preemptionAttempt();
      PostFilterResult r = fwk.runPostFilter(state, q.podInfo(), d.nodeToStatus());
      postFilterMessage = r.status().isSuccess() ? "" : r.status().message();
      nominated = r.nominatedNodeName();
    }
    String message =
        FitError.message(f.numAllNodes, d.nodeToStatus(), d.preFilterMessage(), postFilterMessage);
    handleFailure(
        fwk,
        q,
        "Unschedulable",
        message,
        d.unschedulablePlugins(),
        nominated,
        cycle,
        start,
        SchedulerMetrics.UNSCHEDULABLE);
  }

  private void handleFailure(
      Framework fwk,
      QueuedPodInfo q,
      String reason,
      String message,
      Set<String> unschedulablePlugins,
      String nominatedNode,
      long cycle,
      Instant start,
      String result) {
    PodInfo pod = q.podInfo();
    metrics.attempt(result, fwk.profileName(), seconds(start));
    if (Boolean.TRUE.equals(inFlight.remove(pod.uid()))) {
      // deleted while it was being scheduled: nothing to report or retry
      return;
    }
    log.debug(
        "msg=\"unable to schedule pod\" pod={} reason={} message=\"{}\"", pod, reason, message);
    client.recordEvent(
        new SchedulerEvent(
            pod.pod(), fwk.profileName(), "Warning", "FailedScheduling", "Scheduling", message));
    q.unschedulablePlugins().clear();
    q.unschedulablePlugins().addAll(unschedulablePlugins);
    if (nominatedNode != null) {
      if (nominatedNode.isEmpty()) {
        queue.deleteNominatedPodIfExists(pod);
      } else {
        queue.addNominatedPod(pod, nominatedNode);
      }
    }
    queue.addUnschedulableIfNotPresent(q, cycle);
    PodCondition condition = new PodCondition();
    condition.setType("PodScheduled");
    condition.setStatus("False");
    condition.setReason(reason);
    condition.setMessage(message);
    condition.setLastTransitionTime(
        DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
    String currentNominated =
        pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
    boolean nominationChanged =
        nominatedNode != null
            && !nominatedNode.equals(currentNominated == null ? "" : currentNominated);
    if (conditionChanged(pod.pod(), condition) || nominationChanged) {
      client.updatePodStatus(pod.pod(), condition, nominationChanged ? nominatedNode : null);
    }
  }

  private static boolean conditionChanged(Pod pod, PodCondition wanted) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return true;
    }
    for (PodCondition c : pod.getStatus().getConditions()) {
      if ("PodScheduled".equals(c.getType())) {
        return !Objects.equals(c.getStatus(), wanted.getStatus())
            || !Objects.equals(c.getReason(), wanted.getReason())
            || !Objects.equals(c.getMessage(), wanted.getMessage());
      }
    }
    return true;
  }

  /** Finds the best node or throws a {@link CycleFailure}. */
  private String schedulePod(Framework fwk, CycleState state, PodInfo pod) throws CycleFailure {
    cache.updateSnapshot(snapshot);
    List<NodeInfo> all = snapshot.nodes();
    if (all.isEmpty()) {
      throw new CycleFailure(NO_NODES_AVAILABLE, null, 0, true);
    }
    List<NodeInfo> feasible = findNodesThatFit(fwk, state, pod, all);
    if (feasible.size() == 1) {
      return feasible.get(0).name();
    }
    long[] scores = fwk.runScore(state, pod, feasible);
    return selectHost(feasible, scores);
  }

  private List<NodeInfo> findNodesThatFit(
      Framework fwk, CycleState state, PodInfo pod, List<NodeInfo> all) throws CycleFailure {
    Map<String, PluginStatus> statuses = new ConcurrentHashMap<>();
    Set<String> rejectors = ConcurrentHashMap.newKeySet();
    PreFilterResult pre = fwk.runPreFilter(state, pod, all);
    if (!pre.status().isSuccess()) {
      if (!pre.status().isRejected()) {
        throw new CycleFailure(pre.status().message(), null, all.size(), true);
      }
      for (NodeInfo n : all) {
        statuses.put(n.name(), pre.status());
      }
      Set<String> plugins =
          pre.status().plugin().isEmpty() ? Set.of() : Set.of(pre.status().plugin());
      throw new CycleFailure(
          "", new Diagnosis(statuses, plugins, pre.status().message()), all.size(), false);
    }
    List<NodeInfo> nodes = all;
    if (pre.nodeNames() != null) {
      nodes = new ArrayList<>(pre.nodeNames().size());
      for (String name : pre.nodeNames()) {
        NodeInfo n = snapshot.get(name);
        if (n != null) {
          nodes.add(n);
        }
      }
    }
    String nominated =
        pod.pod().getStatus() == null ? null : pod.pod().getStatus().getNominatedNodeName();
    if (nominated != null && !nominated.isEmpty()) {
      NodeInfo n = snapshot.get(nominated);
      if (n != null && fwk.runFilterWithNominatedPods(state, pod, n).isSuccess()) {
        return List.of(n);
      }
    }
    List<NodeInfo> feasible = filter(fwk, state, pod, nodes, statuses, rejectors);
    if (feasible.isEmpty()) {
      // nodes PreFilter ruled out count as rejected by it
      if (pre.nodeNames() != null) {
        for (NodeInfo n : all) {
          if (!pre.nodeNames().contains(n.name())) {
            statuses.putIfAbsent(
                n.name(),
                PluginStatus.unresolvable("node is filtered out by the prefilter result"));
          }
        }
      }
      throw new CycleFailure("", new Diagnosis(statuses, rejectors, ""), all.size(), false);
    }
    return feasible;
  }

  private List<NodeInfo> filter(
      Framework fwk,
      CycleState state,
      PodInfo pod,
      List<NodeInfo> nodes,
      Map<String, PluginStatus> statuses,
      Set<String> rejectors)
      throws CycleFailure {
    int n = nodes.size();
    int toFind = numFeasibleNodesToFind(fwk.percentageOfNodesToScore(), n);
    if (!fwk.hasFilterPlugins()) {
      List<NodeInfo> out = new ArrayList<>(toFind);
      for (int i = 0; i < toFind; i++) {
        out.add(nodes.get((nextStartNodeIndex + i) % n));
      }
      nextStartNodeIndex = (nextStartNodeIndex + toFind) % n;
      return out;
    }
    AtomicReferenceArray<NodeInfo> found = new AtomicReferenceArray<>(toFind);
    AtomicInteger feasibleCount = new AtomicInteger();
    AtomicInteger processed = new AtomicInteger();
    AtomicReference<String> error = new AtomicReference<>();
    int start = nextStartNodeIndex;
    parallelizer.until(
        n,
        i -> {
          NodeInfo node = nodes.get((start + i) % n);
          PluginStatus s = fwk.runFilterWithNominatedPods(state, pod, node);
          if (s.isSuccess()) {
            int index = feasibleCount.getAndIncrement();
            if (index < toFind) {
              found.set(index, node);
              processed.incrementAndGet();
            }
          } else {
            processed.incrementAndGet();
            if (s.code() == PluginStatus.Code.ERROR) {
              error.compareAndSet(null, s.message());
            }
            statuses.put(node.name(), s);
            if (!s.plugin().isEmpty()) {
              rejectors.add(s.plugin());
            }
          }
        },
        () -> feasibleCount.get() >= toFind || error.get() != null);
    if (error.get() != null) {
      throw new CycleFailure(error.get(), null, n, true);
    }
    nextStartNodeIndex = (start + processed.get()) % n;
    int count = Math.min(feasibleCount.get(), toFind);
    List<NodeInfo> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(found.get(i));
    }
    return out;
  }

  /** How many feasible nodes are enough: all below 100, else an adaptive percentage. */
  int numFeasibleNodesToFind(Integer profilePercentage, int numAllNodes) {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) {
      return numAllNodes;
    }
    int percentage =
        profilePercentage != null ? profilePercentage : config.percentageOfNodesToScore();
    if (percentage == 0) {
      percentage = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND, 50 - numAllNodes / 125);
    }
    int numNodes = (int) ((long) numAllNodes * percentage / 100);
    return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
  }

  /** The highest-scoring node; ties are broken uniformly at random. */
  private String selectHost(List<NodeInfo> nodes, long[] scores) {
    int best = 0;
    int ties = 1;
    for (int i = 1; i < nodes.size(); i++) {
      if (scores[i] > scores[best]) {
        best = i;
        ties = 1;
      } else if (scores[i] == scores[best]) {
        ties++;
        if (random.nextInt(ties) == 0) {
          best = i;
        }
      }
    }
    return nodes.get(best).name();
  }

  /** Periodic housekeeping: backoff flush, leftover flush, assumed pod expiry. */
  void flushBackoff() {
    queue.flushBackoffQCompleted();
  }

  void flushUnschedulableLeftover() {
    queue.flushUnschedulablePodsLeftover();
  }

  void cleanupAssumedPods() {
    for (PodInfo expired : cache.cleanupExpiredAssumedPods()) {
      log.warn("msg=\"assumed pod expired\" pod={}", expired);
    }
  }

  void close() {
    queue.close();
  }

  /** Pending pods: the queue counts. */
  Map<String, Integer> pending() {
    return queue.pendingCounts();
  }

  /** The nominator is the queue, which exists only after the frameworks are built. */
  private static final class DeferredNominator implements Nominator {
    SchedulingQueue queue;

    @Override
    public List<PodInfo> nominatedPodsForNode(String nodeName) {
      return queue.nominatedPodsForNode(nodeName);
    }

    @Override
    public void addNominatedPod(PodInfo pod, String nodeName) {
      queue.addNominatedPod(pod, nodeName);
    }

    @Override
    public void deleteNominatedPodIfExists(PodInfo pod) {
      queue.deleteNominatedPodIfExists(pod);
    }
  }

  private final class SharedHandle implements Handle {
    private final Nominator nominator;

    SharedHandle(Nominator nominator) {
      this.nominator = nominator;
    }

    @Override
    public Snapshot snapshot() {
      return snapshot;
    }

    @Override
    public Listers listers() {
      return listers;
    }

    @Override
    public ClusterClient client() {
      return client;
    }

    @Override
    public Nominator nominator() {
      return nominator;
    }

    @Override
    public InstantSource clock() {
      return clock;
    }

    @Override
    public Parallelizer parallelizer() {
      return parallelizer;
    }

    @Override
    public Framework framework() {
      throw new IllegalStateException("the shared handle belongs to no profile");
    }
  }
}
