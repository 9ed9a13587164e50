package dev.skiff.scheduler.framework;

import dev.skiff.scheduler.client.ClusterClient;
import dev.skiff.scheduler.queue.QueuedPodInfo;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One scheduling profile: its plugins instantiated once and wired to the extension points, run in
 * the order and with the rules of the Kubernetes scheduling framework.
 */
public final class Framework {
  private final String profileName;
  private final Integer percentageOfNodesToScore;
  private final Map<String, Plugin> instances = new LinkedHashMap<>();
  private final List<PreEnqueuePlugin> preEnqueue;
  private final QueueSortPlugin queueSort;
  private final List<PreFilterPlugin> preFilter;
  private final List<FilterPlugin> filter;
  private final List<PostFilterPlugin> postFilter;
  private final List<PreScorePlugin> preScore;
  private final List<ScorePlugin> score;
  private final long[] scoreWeights;
  private final List<ReservePlugin> reserve;
  private final List<PermitPlugin> permit;
  private final List<PreBindPlugin> preBind;
  private final List<BindPlugin> bind;
  private final List<PostBindPlugin> postBind;
  private final Handle handle;
  private final Map<String, WaitingPod> waitingPods = new ConcurrentHashMap<>();

  public Framework(ProfileConfig profile, Map<String, PluginFactory> registry, Handle shared) {
    this.profileName = profile.schedulerName();
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore();
    this.handle = new ProfileHandle(shared, this);
    for (ExtensionPoint point : ExtensionPoint.values()) {
      for (PluginRef ref : profile.enabled(point)) {
        Plugin plugin = instances.get(ref.name());
        if (plugin == null) {
          PluginFactory factory = registry.get(ref.name());
          if (factory == null) {
            throw new IllegalArgumentException("unknown plugin " + ref.name());
          }
          plugin = factory.create(profile.pluginArgs().get(ref.name()), handle);
          instances.put(ref.name(), plugin);
        }
        if (!point.type().isInstance(plugin)) {
          throw new IllegalArgumentException(
              "plugin " + ref.name() + " does not extend " + point.configName());
        }
      }
    }
    preEnqueue = plugins(profile, ExtensionPoint.PRE_ENQUEUE, PreEnqueuePlugin.class);
    List<QueueSortPlugin> sorts =
        plugins(profile, ExtensionPoint.QUEUE_SORT, QueueSortPlugin.class);
    queueSort = sorts.isEmpty() ? null : sorts.get(0);
    preFilter = plugins(profile, ExtensionPoint.PRE_FILTER, PreFilterPlugin.class);
    filter = plugins(profile, ExtensionPoint.FILTER, FilterPlugin.class);
    postFilter = plugins(profile, ExtensionPoint.POST_FILTER, PostFilterPlugin.class);
    preScore = plugins(profile, ExtensionPoint.PRE_SCORE, PreScorePlugin.class);
    score = plugins(profile, ExtensionPoint.SCORE, ScorePlugin.class);
    List<PluginRef> scoreRefs = profile.enabled(ExtensionPoint.SCORE);
    scoreWeights = new long[scoreRefs.size()];
    for (int i = 0; i < scoreWeights.length; i++) {
      scoreWeights[i] = scoreRefs.get(i).weight() == 0 ? 1 : scoreRefs.get(i).weight();
    }
    reserve = plugins(profile, ExtensionPoint.RESERVE, ReservePlugin.class);
    permit = plugins(profile, ExtensionPoint.PERMIT, PermitPlugin.class);
    preBind = plugins(profile, ExtensionPoint.PRE_BIND, PreBindPlugin.class);
    bind = plugins(profile, ExtensionPoint.BIND, BindPlugin.class);
    postBind = plugins(profile, ExtensionPoint.POST_BIND, PostBindPlugin.class);
  }

  private <T extends Plugin> List<T> plugins(
      ProfileConfig profile, ExtensionPoint point, Class<T> type) {
    List<T> out = new ArrayList<>();
    for (PluginRef ref : profile.enabled(point)) {
      out.add(type.cast(instances.get(ref.name())));
    }
    return List.copyOf(out);
  }

  public String profileName() {
    return profileName;
  }

  public Integer percentageOfNodesToScore() {
    return percentageOfNodesToScore;
  }

  public Handle handle() {
    return handle;
  }

  /** Every plugin instance of the profile, by name. */
  public Map<String, Plugin> plugins() {
    return instances;
  }

  public boolean hasFilterPlugins() {
    return !filter.isEmpty();
  }

  public boolean hasPostFilterPlugins() {
    return !postFilter.isEmpty();
  }

  /** The active-queue order of the QueueSort plugin, or priority/FIFO without one. */
  public Comparator<QueuedPodInfo> queueOrder() {
    if (queueSort == null) {
      return Comparator.comparing(QueuedPodInfo::timestamp);
    }
    return (a, b) -> queueSort.less(a, b) ? -1 : queueSort.less(b, a) ? 1 : 0;
  }

  public PluginStatus runPreEnqueue(PodInfo pod) {
    for (PreEnqueuePlugin p : preEnqueue) {
      PluginStatus s = p.preEnqueue(pod);
      if (!s.isSuccess()) {
        return s.withPlugin(p.name());
      }
    }
    return PluginStatus.SUCCESS;
  }

  /**
   * Runs PreFilter; a rejection comes back attributed to its plugin. The node names, when not null,
   * are the only nodes worth filtering.
   */
  public PreFilterResult runPreFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    Set<String> nodeNames = null;
    List<String> narrowing = new ArrayList<>();
    for (PreFilterPlugin p : preFilter) {
      PreFilterResult r = p.preFilter(state, pod, nodes);
      PluginStatus s = r.status();
      if (s.isSkip()) {
        state.skipFilterPlugins().add(p.name());
        continue;
      }
      if (!s.isSuccess()) {
        return PreFilterResult.of(s.withPlugin(p.name()));
      }
      if (r.nodeNames() != null) {
        narrowing.add(p.name());
        if (nodeNames == null) {
          nodeNames = new HashSet<>(r.nodeNames());
        } else {
          nodeNames.retainAll(r.nodeNames());
        }
        if (nodeNames.isEmpty()) {
          String message =
              narrowing.size() == 1
                  ? "node(s) didn't satisfy plugin " + narrowing.get(0)
                  : "node(s) didn't satisfy plugin(s) " + narrowing + " simultaneously";
          return PreFilterResult.of(PluginStatus.unresolvable(message).withPlugin(p.name()));
        }
      }
    }
    return nodeNames == null ? PreFilterResult.SUCCESS : PreFilterResult.onlyNodes(nodeNames);
  }

  /** Lets PreFilter state account for {@code toAdd} joining {@code node}. */
  public PluginStatus runPreFilterAddPod(
      CycleState state, PodInfo pod, PodInfo toAdd, NodeInfo node) {
    for (PreFilterPlugin p : preFilter) {
      if (state.skipFilterPlugins().contains(p.name())) {
        continue;
      }
      PluginStatus s = p.addPod(state, pod, toAdd, node);
      if (!s.isSuccess()) {
        return s.withPlugin(p.name());
      }
    }
    return PluginStatus.SUCCESS;
  }

  /** Lets PreFilter state account for {@code toRemove} leaving {@code node}. */
  public PluginStatus runPreFilterRemovePod(
      CycleState state, PodInfo pod, PodInfo toRemove, NodeInfo node) {
    for (PreFilterPlugin p : preFilter) {
      if (state.skipFilterPlugins().contains(p.name())) {
        continue;
      }
      PluginStatus s = p.removePod(state, pod, toRemove, node);
      if (!s.isSuccess()) {
        return s.withPlugin(p.name());
      }
    }
    return PluginStatus.SUCCESS;
  }

  /** Runs the Filter plugins until the first one that rejects the node. */
  public PluginStatus runFilter(CycleState state, PodInfo pod, NodeInfo node) {
    for (FilterPlugin p : filter) {
      if (!state.skipFilterPlugins().isEmpty() && state.skipFilterPlugins().contains(p.name())) {
        continue;
      }
      PluginStatus s = p.filter(state, pod, node);
      if (!s.isSuccess()) {
        return s.withPlugin(p.name());
      }
    }
    return PluginStatus.SUCCESS;
  }

  /**
   * Filters the node twice when pods of equal or higher priority are nominated to it: once as if
   * they were running there and once without them, so that the pod fits either way (pod affinity
   * may depend on them being absent).
   */
  public PluginStatus runFilterWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node) {
    List<PodInfo> nominated = handle.nominator().nominatedPodsForNode(node.name());
    if (nominated.isEmpty()) {
      return runFilter(state, pod, node);
    }
    CycleState withState = null;
    NodeInfo withNode = null;
    for (PodInfo n : nominated) {
      if (n.priority() >= pod.priority() && !n.uid().equals(pod.uid())) {
        if (withNode == null) {
          withState = state.copy();
          withNode = node.copy();
        }
        withNode.addPod(n);
        PluginStatus s = runPreFilterAddPod(withState, pod, n, withNode);
        if (!s.isSuccess()) {
          return s;
        }
      }
    }
    if (withNode == null) {
      return runFilter(state, pod, node);
    }
    PluginStatus s = runFilter(withState, pod, withNode);
    if (!s.isSuccess()) {
      return s;
    }
    return runFilter(state, pod, node);
  }

  /** Runs PostFilter until one succeeds; without success, the reasons of all are joined. */
  public PostFilterResult runPostFilter(
      CycleState state, PodInfo pod, Map<String, PluginStatus> nodeToStatus) {
    List<String> reasons = new ArrayList<>();
    PostFilterResult last = null;
    for (PostFilterPlugin p : postFilter) {
      PostFilterResult r = p.postFilter(state, pod, nodeToStatus);
      if (r.status().isSuccess()) {
        return r;
      }
      if (r.status().code() == PluginStatus.Code.ERROR) {
        return new PostFilterResult(r.status().withPlugin(p.name()), r.nominatedNodeName());
      }
      reasons.addAll(r.status().reasons());
      last = r;
    }
    PluginStatus combined = new PluginStatus(PluginStatus.Code.UNSCHEDULABLE, reasons, "");
    return new PostFilterResult(combined, last == null ? null : last.nominatedNodeName());
  }

  /**
   * Runs PreScore and Score over {@code nodes} and returns the weighted total per node (same
   * index). Scoring is parallel over nodes.
   */
  public long[] runScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    for (PreScorePlugin p : preScore) {
      PluginStatus s = p.preScore(state, pod, nodes);
      if (s.isSkip()) {
        state.skipScorePlugins().add(p.name());
      } else if (!s.isSuccess()) {
        throw new SchedulingException("PreScore plugin " + p.name() + ": " + s.message());
      }
    }
    List<ScorePlugin> active = new ArrayList<>(score.size());
    List<Long> weights = new ArrayList<>(score.size());
    for (int i = 0; i < score.size(); i++) {
      if (!state.skipScorePlugins().contains(score.get(i).name())) {
        active.add(score.get(i));
        weights.add(scoreWeights[i]);
      }
    }
    int n = nodes.size();
    long[][] perPlugin = new long[active.size()][n];
    handle
        .parallelizer()
        .until(
            n,
            i -> {
              NodeInfo node = nodes.get(i);
              for (int p = 0; p < active.size(); p++) {
                perPlugin[p][i] = active.get(p).score(state, pod, node);
              }
            });
    long[] total = new long[n];
    for (int p = 0; p < active.size(); p++) {
      active.get(p).normalizeScores(state, pod, nodes, perPlugin[p]);
      long w = weights.get(p);
      for (int i = 0; i < n; i++) {
        long s = perPlugin[p][i];
        if (s < 0 || s > ScorePlugin.MAX_NODE_SCORE) {
          throw new SchedulingException(
              "plugin " + active.get(p).name() + " returned score " + s + " out of range");
        }
        total[i] += s * w;
      }
    }
    return total;
  }

  /** Runs Reserve; on a failure the reserved plugins are unreserved by the caller. */
  public PluginStatus runReserve(CycleState state, PodInfo pod, String nodeName) {
    for (ReservePlugin p : reserve) {
      PluginStatus s = p.reserve(state, pod, nodeName);
      if (!s.isSuccess()) {
        return s.withPlugin(p.name());
      }
    }
    return PluginStatus.SUCCESS;
  }

  /** Runs Unreserve of every Reserve plugin in reverse order. */
  public void runUnreserve(CycleState state, PodInfo pod, String nodeName) {
    for (int i = reserve.size() - 1; i >= 0; i--) {
      reserve.get(i).unreserve(state, pod, nodeName);
    }
  }

  /** Runs Permit; WAIT registers the pod as waiting (see {@link #waitOnPermit}). */
  public PluginStatus runPermit(CycleState state, PodInfo pod, String nodeName) {
    Set<String> waitingOn = new HashSet<>();
    Duration timeout = null;
    for (PermitPlugin p : permit) {
      PermitResult r = p.permit(state, pod, nodeName);
      PluginStatus s = r.status();
      if (s.code() == PluginStatus.Code.WAIT) {
        waitingOn.add(p.name());
        timeout = timeout == null || r.timeout().compareTo(timeout) < 0 ? r.timeout() : timeout;
      } else if (!s.isSuccess()) {
        return s.withPlugin(p.name());
      }
    }
    if (waitingOn.isEmpty()) {
      return PluginStatus.SUCCESS;
    }
    waitingPods.put(pod.uid(), new WaitingPod(pod, waitingOn, timeout));
    return new PluginStatus(PluginStatus.Code.WAIT, List.of(), "");
  }

  /** Blocks until a waiting pod is allowed, rejected or timed out; SUCCESS when not waiting. */
  public PluginStatus waitOnPermit(PodInfo pod) {
    WaitingPod w = waitingPods.get(pod.uid());
    if (w == null) {
      return PluginStatus.SUCCESS;
    }
    try {
      return w.result
          .completeOnTimeout(
              PluginStatus.unschedulable("rejected due to timeout after waiting " + w.timeout),
              w.timeout.toMillis(),
              TimeUnit.MILLISECONDS)
          .join();
    } finally {
      waitingPods.remove(pod.uid());
    }
  }

  /** The pod waiting at Permit with this uid, or null. */
  public WaitingPod waitingPod(String uid) {
    return waitingPods.get(uid);
  }

  public PluginStatus runPreBind(CycleState state, PodInfo pod, String nodeName) {
    for (PreBindPlugin p : preBind) {
      PluginStatus s = p.preBind(state, pod, nodeName);
      if (!s.isSuccess()) {
        return s.withPlugin(p.name());
      }
    }
    return PluginStatus.SUCCESS;
  }

  /** Runs Bind plugins until one does not SKIP. */
  public PluginStatus runBind(CycleState state, PodInfo pod, String nodeName) {
    for (BindPlugin p : bind) {
      PluginStatus s = p.bind(state, pod, nodeName);
      if (!s.isSkip()) {
        return s.withPlugin(p.name());
      }
    }
    return PluginStatus.error("no bind plugin bound the pod");
  }

  public void runPostBind(CycleState state, PodInfo pod, String nodeName) {
    for (PostBindPlugin p : postBind) {
      p.postBind(state, pod, nodeName);
    }
  }

  /** A pod held at Permit until every waiting plugin allows it. */
  public static final class WaitingPod {
    private final PodInfo pod;
    private final Set<String> pending;
    private final Duration timeout;
    private final CompletableFuture<PluginStatus> result = new CompletableFuture<>();

    WaitingPod(PodInfo pod, Set<String> pending, Duration timeout) {
      this.pod = pod;
      this.pending = ConcurrentHashMap.newKeySet();
      this.pending.addAll(pending);
      this.timeout = timeout;
    }

    public PodInfo pod() {
      return pod;
    }

    public void allow(String pluginName) {
      pending.remove(pluginName);
      if (pending.isEmpty()) {
        result.complete(PluginStatus.SUCCESS);
      }
    }

    public void reject(String pluginName, String message) {
      result.complete(PluginStatus.unschedulable(message).withPlugin(pluginName));
    }
  }

  private record ProfileHandle(Handle shared, Framework framework) implements Handle {
    @Override
    public Snapshot snapshot() {
      return shared.snapshot();
    }

    @Override
    public Listers listers() {
      return shared.listers();
    }

    @Override
    public ClusterClient client() {
      return shared.client();
    }

    @Override
    public Nominator nominator() {
      return shared.nominator();
    }

    @Override
    public InstantSource clock() {
      return shared.clock();
    }

    @Override
    public Parallelizer parallelizer() {
      return shared.parallelizer();
    }
  }
}
