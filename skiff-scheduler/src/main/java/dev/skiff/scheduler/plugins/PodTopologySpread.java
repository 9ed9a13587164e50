package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.Listers;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.PreFilterResult;
import dev.skiff.scheduler.framework.PreScorePlugin;
import dev.skiff.scheduler.framework.ScorePlugin;
import dev.skiff.scheduler.framework.Selector;
import dev.skiff.scheduler.framework.StateData;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spreads pods matching a selector evenly over topology domains: DoNotSchedule constraints filter
 * (skew = matching pods in the domain + self - minimum over domains must not exceed maxSkew),
 * ScheduleAnyway constraints score. Pods without constraints get the cluster default constraints,
 * with a selector built from the services and controllers that own them.
 */
public final class PodTopologySpread
    implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  public static final String NAME = "PodTopologySpread";
  public static final String HOSTNAME = "kubernetes.io/hostname";
  public static final String ZONE = "topology.kubernetes.io/zone";
  static final String REASON_MISSING_LABEL =
      "node(s) didn't match pod topology spread constraints (missing required label)";
  static final String REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
  private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
  private static final String PRE_SCORE_KEY = "PreScore" + NAME;

  /** The system default constraints of Kubernetes. */
  public static final List<TopologySpreadConstraint> SYSTEM_DEFAULT_CONSTRAINTS =
      List.of(constraint(3, HOSTNAME, "ScheduleAnyway"), constraint(5, ZONE, "ScheduleAnyway"));

  private final Handle handle;
  private final List<TopologySpreadConstraint> defaultConstraints;
  private final boolean systemDefaulted;

  public PodTopologySpread(
      Handle handle, List<TopologySpreadConstraint> defaultConstraints, boolean systemDefaulted) {
    this.handle = handle;
    this.defaultConstraints = List.copyOf(defaultConstraints);
    this.systemDefaulted = systemDefaulted;
  }

  private static TopologySpreadConstraint constraint(int maxSkew, String key, String when) {
    TopologySpreadConstraint c = new TopologySpreadConstraint();
    c.setMaxSkew(maxSkew);
    c.setTopologyKey(key);
    c.setWhenUnsatisfiable(when);
    return c;
  }

  record Constraint(
      int maxSkew,
      String topologyKey,
      Selector selector,
      int minDomains,
      boolean honorNodeAffinity,
      boolean honorTaints) {

    boolean includes(Pod pod, NodeInfo node, RequiredNodeAffinity required) {
      if (honorNodeAffinity && !required.matches(node.node())) {
        return false;
      }
      if (honorTaints
          && node.node().getSpec() != null
          && node.node().getSpec().getTaints() != null) {
        for (Taint t : node.node().getSpec().getTaints()) {
          if (("NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
              && !Taints.toleratedBy(t, pod.getSpec().getTolerations())) {
            return false;
          }
        }
      }
      return true;
    }
  }

  record TopologyPair(String key, String value) {}

  private static final class PreFilterState implements StateData {
    final List<Constraint> constraints;
    final Map<TopologyPair, Integer> matchNum;
    final Map<String, Integer> minByKey;
    final Map<String, Integer> domainsByKey;
    final RequiredNodeAffinity required;

    PreFilterState(
        List<Constraint> constraints,
        Map<TopologyPair, Integer> matchNum,
        RequiredNodeAffinity required) {
      this.constraints = constraints;
      this.matchNum = matchNum;
      this.required = required;
      this.minByKey = new HashMap<>();
      this.domainsByKey = new HashMap<>();
      recompute();
    }

    void recompute() {
      minByKey.clear();
      domainsByKey.clear();
      matchNum.forEach(
          (pair, n) -> {
            minByKey.merge(pair.key(), n, Math::min);
            domainsByKey.merge(pair.key(), 1, Integer::sum);
          });
    }

    @Override
    public StateData copy() {
      return new PreFilterState(constraints, new HashMap<>(matchNum), required);
    }

    void updateWithPod(PodInfo updated, PodInfo preemptor, NodeInfo node, int delta) {
      if (!updated.namespace().equals(preemptor.namespace()) || !hasAllKeys(node, constraints)) {
        return;
      }
      boolean changed = false;
      for (Constraint c : constraints) {
        if (!c.includes(preemptor.pod(), node, required)
            || !c.selector().matches(updated.labels())) {
          continue;
        }
        TopologyPair pair = new TopologyPair(c.topologyKey(), node.labels().get(c.topologyKey()));
        matchNum.merge(pair, delta, Integer::sum);
        changed = true;
      }
      if (changed) {
        recompute();
      }
    }
  }

  private static final class PreScoreState implements StateData {
    final List<Constraint> constraints;
    final Set<String> ignoredNodes;
    final Map<TopologyPair, long[]> podCounts;
    final double[] normalizingWeights;

    PreScoreState(
        List<Constraint> constraints,
        Set<String> ignoredNodes,
        Map<TopologyPair, long[]> podCounts,
        double[] normalizingWeights) {
      this.constraints = constraints;
      this.ignoredNodes = ignoredNodes;
      this.podCounts = podCounts;
      this.normalizingWeights = normalizingWeights;
    }

    @Override
    public StateData copy() {
      return this;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The pod's constraints with {@code when}, or the defaults when it declares none. */
  List<Constraint> constraints(PodInfo pod, String when) {
    List<TopologySpreadConstraint> declared = pod.pod().getSpec().getTopologySpreadConstraints();
    List<Constraint> out = new ArrayList<>();
    if (declared != null && !declared.isEmpty()) {
      for (TopologySpreadConstraint c : declared) {
        if (!when.equals(c.getWhenUnsatisfiable())) {
          continue;
        }
        Selector selector = Selector.of(c.getLabelSelector());
        if (c.getMatchLabelKeys() != null) {
          for (String key : c.getMatchLabelKeys()) {
            String value = pod.labels().get(key);
            if (value != null) {
              selector = selector.and(key, value);
            }
          }
        }
        out.add(compile(c, selector));
      }
      return out;
    }
    if (defaultConstraints.isEmpty()) {
      return out;
    }
    Selector selector = defaultSelector(pod.pod(), handle.listers());
    if (selector.isEmpty()) {
      return out;
    }
    for (TopologySpreadConstraint c : defaultConstraints) {
      if (when.equals(c.getWhenUnsatisfiable())) {
        out.add(compile(c, selector));
      }
    }
    return out;
  }

  private static Constraint compile(TopologySpreadConstraint c, Selector selector) {
    int minDomains = c.getMinDomains() == null ? 1 : c.getMinDomains();
    return new Constraint(
        c.getMaxSkew() == null ? 1 : c.getMaxSkew(),
        c.getTopologyKey(),
        selector,
        minDomains,
        !"Ignore".equals(c.getNodeAffinityPolicy()),
        "Honor".equals(c.getNodeTaintsPolicy()));
  }

  /** The selector of every service, controller and set that selects the pod, ANDed. */
  static Selector defaultSelector(Pod pod, Listers listers) {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return Selector.EVERYTHING;
    }
    Selector result = Selector.EVERYTHING;
    for (Service s : listers.services().list(ns)) {
      Map<String, String> sel = s.getSpec() == null ? null : s.getSpec().getSelector();
      if (sel != null && !sel.isEmpty() && Selector.ofLabels(sel).matches(labels)) {
        result = result.and(Selector.ofLabels(sel));
      }
    }
    for (ReplicationController rc : listers.replicationControllers().list(ns)) {
      Map<String, String> sel = rc.getSpec() == null ? null : rc.getSpec().getSelector();
      if (sel != null && !sel.isEmpty() && Selector.ofLabels(sel).matches(labels)) {
        result = result.and(Selector.ofLabels(sel));
      }
    }
    for (ReplicaSet rs : listers.replicaSets().list(ns)) {
      if (rs.getSpec() != null && rs.getSpec().getSelector() != null) {
        Selector sel = Selector.of(rs.getSpec().getSelector());
        if (!sel.isEmpty() && sel.matches(labels)) {
          result = result.and(sel);
        }
      }
    }
    for (StatefulSet ss : listers.statefulSets().list(ns)) {
      if (ss.getSpec() != null && ss.getSpec().getSelector() != null) {
        Selector sel = Selector.of(ss.getSpec().getSelector());
        if (!sel.isEmpty() && sel.matches(labels)) {
          result = result.and(sel);
        }
      }
    }
    return result;
  }

  static boolean hasAllKeys(NodeInfo node, List<Constraint> constraints) {
    for (Constraint c : constraints) {
      if (!node.labels().containsKey(c.topologyKey())) {
        return false;
      }
    }
    return true;
  }

  static int countMatching(List<PodInfo> pods, Selector selector, String namespace) {
    if (selector.isEmpty()) {
      return 0;
    }
    int count = 0;
    for (PodInfo p : pods) {
      if (!p.isTerminating() && p.namespace().equals(namespace) && selector.matches(p.labels())) {
        count++;
      }
    }
    return count;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    List<Constraint> constraints = constraints(pod, "DoNotSchedule");
    if (constraints.isEmpty()) {
      return PreFilterResult.SKIP;
    }
    RequiredNodeAffinity required = RequiredNodeAffinity.of(pod.pod());
    // counting runs per node in parallel; the per-node counts are merged in node order after
    int[][] counts = new int[nodes.size()][];
    handle
        .parallelizer()
        .until(
            nodes.size(),
            i -> {
              NodeInfo node = nodes.get(i);
              if (!hasAllKeys(node, constraints)) {
                return;
              }
              int[] perConstraint = new int[constraints.size()];
              for (int c = 0; c < constraints.size(); c++) {
                Constraint constraint = constraints.get(c);
                perConstraint[c] =
                    constraint.includes(pod.pod(), node, required)
                        ? countMatching(node.pods(), constraint.selector(), pod.namespace())
                        : -1;
              }
              counts[i] = perConstraint;
            });
    Map<TopologyPair, Integer> matchNum = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (counts[i] == null) {
        continue;
      }
      NodeInfo node = nodes.get(i);
      for (int c = 0; c < constraints.size(); c++) {
        if (counts[i][c] < 0) {
          continue;
        }
        String key = constraints.get(c).topologyKey();
        matchNum.merge(new TopologyPair(key, node.labels().get(key)), counts[i][c], Integer::sum);
      }
    }
    state.write(PRE_FILTER_KEY, new PreFilterState(constraints, matchNum, required));
    return PreFilterResult.SUCCESS;
  }

  @Override
  public PluginStatus addPod(CycleState state, PodInfo pod, PodInfo podToAdd, NodeInfo node) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s != null) {
      s.updateWithPod(podToAdd, pod, node, 1);
    }
    return PluginStatus.SUCCESS;
  }

  @Override
  public PluginStatus removePod(CycleState state, PodInfo pod, PodInfo podToRemove, NodeInfo node) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s != null) {
      s.updateWithPod(podToRemove, pod, node, -1);
    }
    return PluginStatus.SUCCESS;
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return PluginStatus.SUCCESS;
    }
    for (Constraint c : s.constraints) {
      String value = node.labels().get(c.topologyKey());
      if (value == null) {
        return PluginStatus.unresolvable(REASON_MISSING_LABEL);
      }
      int min = s.minByKey.getOrDefault(c.topologyKey(), Integer.MAX_VALUE);
      if (s.domainsByKey.getOrDefault(c.topologyKey(), 0) < c.minDomains()) {
        min = 0;
      }
      int self = c.selector().matches(pod.labels()) ? 1 : 0;
      int matching = s.matchNum.getOrDefault(new TopologyPair(c.topologyKey(), value), 0);
      if ((long) matching + self - min > c.maxSkew()) {
        return PluginStatus.unschedulable(REASON_CONSTRAINTS);
      }
    }
    return PluginStatus.SUCCESS;
  }

  @Override
  public PluginStatus preScore(CycleState state, PodInfo pod, List<NodeInfo> filtered) {
    List<NodeInfo> all = handle.snapshot().nodes();
    if (filtered.isEmpty() || all.isEmpty()) {
      return PluginStatus.SKIP;
    }
    List<Constraint> constraints = constraints(pod, "ScheduleAnyway");
    if (constraints.isEmpty()) {
      return PluginStatus.SKIP;
    }
    List<TopologySpreadConstraint> declared = pod.pod().getSpec().getTopologySpreadConstraints();
    boolean requireAllTopologies = (declared != null && !declared.isEmpty()) || !systemDefaulted;
    Set<String> ignored = new HashSet<>();
    Map<TopologyPair, long[]> counts = new HashMap<>();
    int[] sizes = new int[constraints.size()];
    for (NodeInfo node : filtered) {
      if (requireAllTopologies && !hasAllKeys(node, constraints)) {
        ignored.add(node.name());
        continue;
      }
      for (int i = 0; i < constraints.size(); i++) {
        Constraint c = constraints.get(i);
        if (c.topologyKey().equals(HOSTNAME)) {
          continue;
        }
        TopologyPair pair = new TopologyPair(c.topologyKey(), node.labels().get(c.topologyKey()));
        if (!counts.containsKey(pair)) {
          counts.put(pair, new long[1]);
          sizes[i]++;
        }
      }
    }
    double[] weights = new double[constraints.size()];
    for (int i = 0; i < constraints.size(); i++) {
      int size =
          constraints.get(i).topologyKey().equals(HOSTNAME)
              ? filtered.size() - ignored.size()
              : sizes[i];
      weights[i] = Math.log(size + 2);
    }
    RequiredNodeAffinity required = RequiredNodeAffinity.of(pod.pod());
    for (NodeInfo node : all) {
      if (requireAllTopologies && !hasAllKeys(node, constraints)) {
        continue;
      }
      for (Constraint c : constraints) {
        if (!c.includes(pod.pod(), node, required)) {
          continue;
        }
        long[] count =
            counts.get(new TopologyPair(c.topologyKey(), node.labels().get(c.topologyKey())));
        if (count != null) {
          count[0] += countMatching(node.pods(), c.selector(), pod.namespace());
        }
      }
    }
    state.write(PRE_SCORE_KEY, new PreScoreState(constraints, ignored, counts, weights));
    return PluginStatus.SUCCESS;
  }

  @Override
  public long score(CycleState state, PodInfo pod, NodeInfo node) {
    PreScoreState s = state.read(PRE_SCORE_KEY);
    if (s.ignoredNodes.contains(node.name())) {
      return 0;
    }
    double score = 0;
    for (int i = 0; i < s.constraints.size(); i++) {
      Constraint c = s.constraints.get(i);
      String value = node.labels().get(c.topologyKey());
      if (value == null) {
        continue;
      }
      long count;
      if (c.topologyKey().equals(HOSTNAME)) {
        count = countMatching(node.pods(), c.selector(), pod.namespace());
      } else {
        long[] counted = s.podCounts.get(new TopologyPair(c.topologyKey(), value));
        count = counted == null ? 0 : counted[0];
      }
      score += count * s.normalizingWeights[i] + (c.maxSkew() - 1);
    }
    return Math.round(score);
  }

  @Override
  public void normalizeScores(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
    PreScoreState s = state.read(PRE_SCORE_KEY);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < scores.length; i++) {
      if (s.ignoredNodes.contains(nodes.get(i).name())) {
        continue;
      }
      min = Math.min(min, scores[i]);
      max = Math.max(max, scores[i]);
    }
    for (int i = 0; i < scores.length; i++) {
      if (s.ignoredNodes.contains(nodes.get(i).name())) {
        scores[i] = 0;
      } else if (max == 0) {
        scores[i] = MAX_NODE_SCORE;
      } else {
        scores[i] = MAX_NODE_SCORE * (max + min - scores[i]) / max;
      }
    }
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(
        ClusterEvent.ASSIGNED_POD_ADD,
        ClusterEvent.ASSIGNED_POD_UPDATE,
        ClusterEvent.ASSIGNED_POD_DELETE,
        ClusterEvent.NODE_ADD,
        ClusterEvent.NODE_UPDATE,
        ClusterEvent.UNSCHEDULABLE_POD_UPDATE);
  }
}
