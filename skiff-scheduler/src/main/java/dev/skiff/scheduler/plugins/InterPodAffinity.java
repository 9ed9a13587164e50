package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.AffinityTerm;
import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.PreFilterResult;
import dev.skiff.scheduler.framework.PreScorePlugin;
import dev.skiff.scheduler.framework.ScorePlugin;
import dev.skiff.scheduler.framework.StateData;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inter-pod affinity and anti-affinity: required terms of the incoming pod and the required
 * anti-affinity of existing pods as a filter, preferred terms of both sides (and the required
 * affinity of existing pods, with hardPodAffinityWeight) as a score.
 */
public final class InterPodAffinity
    implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  public static final String NAME = "InterPodAffinity";
  static final String REASON_AFFINITY = "node(s) didn't match pod affinity rules";
  static final String REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
  static final String REASON_EXISTING_ANTI_AFFINITY =
      "node(s) didn't satisfy existing pods anti-affinity rules";
  private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
  private static final String PRE_SCORE_KEY = "PreScore" + NAME;

  private final Handle handle;
  private final int hardPodAffinityWeight;
  private final boolean ignorePreferredTermsOfExistingPods;

  public InterPodAffinity(
      Handle handle, int hardPodAffinityWeight, boolean ignorePreferredTermsOfExistingPods) {
    this.handle = handle;
    this.hardPodAffinityWeight = hardPodAffinityWeight;
    this.ignorePreferredTermsOfExistingPods = ignorePreferredTermsOfExistingPods;
  }

  record TopologyPair(String key, String value) {}

  private static final class PreFilterState implements StateData {
    final Map<TopologyPair, Long> existingAntiAffinity;
    final Map<TopologyPair, Long> affinity;
    final Map<TopologyPair, Long> antiAffinity;
    final PodInfo pod;
    final List<AffinityTerm> requiredAffinity;
    final List<AffinityTerm> requiredAntiAffinity;
    final Map<String, String> namespaceLabels;

    PreFilterState(
        PodInfo pod,
        List<AffinityTerm> requiredAffinity,
        List<AffinityTerm> requiredAntiAffinity,
        Map<String, String> namespaceLabels,
        Map<TopologyPair, Long> existingAntiAffinity,
        Map<TopologyPair, Long> affinity,
        Map<TopologyPair, Long> antiAffinity) {
      this.pod = pod;
      this.requiredAffinity = requiredAffinity;
      this.requiredAntiAffinity = requiredAntiAffinity;
      this.namespaceLabels = namespaceLabels;
      this.existingAntiAffinity = existingAntiAffinity;
      this.affinity = affinity;
      this.antiAffinity = antiAffinity;
    }

    @Override
    public StateData copy() {
      return new PreFilterState(
          pod,
          requiredAffinity,
          requiredAntiAffinity,
          namespaceLabels,
          new HashMap<>(existingAntiAffinity),
          new HashMap<>(affinity),
          new HashMap<>(antiAffinity));
    }

    void updateWithPod(PodInfo existing, NodeInfo node, long delta) {
      for (AffinityTerm t : existing.requiredAntiAffinityTerms()) {
        if (t.matches(pod, namespaceLabels)) {
          update(existingAntiAffinity, node, t.topologyKey(), delta);
        }
      }
      if (!requiredAffinity.isEmpty() && matchesAll(requiredAffinity, existing)) {
        for (AffinityTerm t : requiredAffinity) {
          update(affinity, node, t.topologyKey(), delta);
        }
      }
      for (AffinityTerm t : requiredAntiAffinity) {
        if (t.matches(existing, null)) {
          update(antiAffinity, node, t.topologyKey(), delta);
        }
      }
    }
  }

  private static final class PreScoreState implements StateData {
    final Map<TopologyPair, Long> topologyScore;

    PreScoreState(Map<TopologyPair, Long> topologyScore) {
      this.topologyScore = topologyScore;
    }

    @Override
    public StateData copy() {
      return this;
    }
  }

  static void update(Map<TopologyPair, Long> counts, NodeInfo node, String key, long delta) {
    String value = node.labels().get(key);
    if (value == null) {
      return;
    }
    counts.merge(new TopologyPair(key, value), delta, (a, b) -> a + b == 0 ? null : a + b);
  }

  static boolean matchesAll(List<AffinityTerm> terms, PodInfo pod) {
    for (AffinityTerm t : terms) {
      if (!t.matches(pod, null)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Turns non-empty namespace selectors into the namespaces they select now. */
  private List<AffinityTerm> resolveNamespaces(List<AffinityTerm> terms) {
    if (terms.isEmpty()) {
      return terms;
    }
    List<AffinityTerm> out = new ArrayList<>(terms.size());
    for (AffinityTerm t : terms) {
      if (t.namespaceSelector() == null || t.namespaceSelector().isEmpty()) {
        out.add(t);
        continue;
      }
      Set<String> namespaces = new HashSet<>(t.namespaces());
      for (Namespace ns : handle.listers().namespaces().list(null)) {
        if (t.namespaceSelector().matches(ns.getMetadata().getLabels())) {
          namespaces.add(ns.getMetadata().getName());
        }
      }
      out.add(t.withNamespaces(namespaces));
    }
    return out;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    List<NodeInfo> withAnti = handle.snapshot().havePodsWithRequiredAntiAffinity();
    if (pod.requiredAffinityTerms().isEmpty()
        && pod.requiredAntiAffinityTerms().isEmpty()
        && withAnti.isEmpty()) {
      return PreFilterResult.SKIP;
    }
    PreFilterState s =
        new PreFilterState(
            pod,
            resolveNamespaces(pod.requiredAffinityTerms()),
            resolveNamespaces(pod.requiredAntiAffinityTerms()),
            handle.listers().namespaceLabels(pod.namespace()),
            new HashMap<>(),
            new HashMap<>(),
            new HashMap<>());
    for (NodeInfo node : withAnti) {
      for (PodInfo existing : node.podsWithRequiredAntiAffinity()) {
        for (AffinityTerm t : existing.requiredAntiAffinityTerms()) {
          if (t.matches(pod, s.namespaceLabels)) {
            update(s.existingAntiAffinity, node, t.topologyKey(), 1);
          }
        }
      }
    }
    if (!s.requiredAffinity.isEmpty() || !s.requiredAntiAffinity.isEmpty()) {
      // every pod of the cluster is matched against the terms: per node in parallel, merged after
      @SuppressWarnings("unchecked")
      Map<TopologyPair, Long>[] affinityByNode = new Map[nodes.size()];
      @SuppressWarnings("unchecked")
      Map<TopologyPair, Long>[] antiByNode = new Map[nodes.size()];
      handle
          .parallelizer()
          .until(
              nodes.size(),
              i -> {
                NodeInfo node = nodes.get(i);
                for (PodInfo existing : node.pods()) {
                  if (!s.requiredAffinity.isEmpty() && matchesAll(s.requiredAffinity, existing)) {
                    if (affinityByNode[i] == null) {
                      affinityByNode[i] = new HashMap<>();
                    }
                    for (AffinityTerm t : s.requiredAffinity) {
                      update(affinityByNode[i], node, t.topologyKey(), 1);
                    }
                  }
                  for (AffinityTerm t : s.requiredAntiAffinity) {
                    if (t.matches(existing, null)) {
                      if (antiByNode[i] == null) {
                        antiByNode[i] = new HashMap<>();
                      }
                      update(antiByNode[i], node, t.topologyKey(), 1);
                    }
                  }
                }
              });
      for (int i = 0; i < nodes.size(); i++) {
        if (affinityByNode[i] != null) {
          affinityByNode[i].forEach((k, v) -> s.affinity.merge(k, v, Long::sum));
        }
        if (antiByNode[i] != null) {
          antiByNode[i].forEach((k, v) -> s.antiAffinity.merge(k, v, Long::sum));
        }
      }
    }
    state.write(PRE_FILTER_KEY, s);
    return PreFilterResult.SUCCESS;
  }

  @Override
  public PluginStatus addPod(CycleState state, PodInfo pod, PodInfo podToAdd, NodeInfo node) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s != null) {
      s.updateWithPod(podToAdd, node, 1);
    }
    return PluginStatus.SUCCESS;
  }

  @Override
  public PluginStatus removePod(CycleState state, PodInfo pod, PodInfo podToRemove, NodeInfo node) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s != null) {
      s.updateWithPod(podToRemove, node, -1);
    }
    return PluginStatus.SUCCESS;
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    PreFilterState s = state.read(PRE_FILTER_KEY);
    if (s == null) {
      return PluginStatus.SUCCESS;
    }
    if (!satisfiesPodAffinity(s, node)) {
      return PluginStatus.unresolvable(REASON_AFFINITY);
    }
    if (!s.antiAffinity.isEmpty()) {
      for (AffinityTerm t : s.requiredAntiAffinity) {
        String value = node.labels().get(t.topologyKey());
        if (value != null
            && s.antiAffinity.getOrDefault(new TopologyPair(t.topologyKey(), value), 0L) > 0) {
          return PluginStatus.unschedulable(REASON_ANTI_AFFINITY);
        }
      }
    }
    if (!s.existingAntiAffinity.isEmpty()) {
      for (Map.Entry<String, String> label : node.labels().entrySet()) {
        if (s.existingAntiAffinity.getOrDefault(
                new TopologyPair(label.getKey(), label.getValue()), 0L)
            > 0) {
          return PluginStatus.unschedulable(REASON_EXISTING_ANTI_AFFINITY);
        }
      }
    }
    return PluginStatus.SUCCESS;
  }

  private static boolean satisfiesPodAffinity(PreFilterState s, NodeInfo node) {
    boolean podsExist = true;
    for (AffinityTerm t : s.requiredAffinity) {
      String value = node.labels().get(t.topologyKey());
      if (value == null) {
        return false;
      }
      if (s.affinity.getOrDefault(new TopologyPair(t.topologyKey(), value), 0L) <= 0) {
        podsExist = false;
      }
    }
    if (podsExist) {
      return true;
    }
    // the first pod of a group with affinity to itself may go anywhere its topology exists
    return s.affinity.isEmpty() && matchesAll(s.requiredAffinity, s.pod);
  }

  @Override
  public PluginStatus preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    boolean hasConstraints =
        !pod.preferredAffinityTerms().isEmpty() || !pod.preferredAntiAffinityTerms().isEmpty();
    if (ignorePreferredTermsOfExistingPods && !hasConstraints) {
      return PluginStatus.SKIP;
    }
    List<NodeInfo> candidates =
        hasConstraints ? handle.snapshot().nodes() : handle.snapshot().havePodsWithAffinity();
    List<AffinityTerm> preferred = resolveNamespaces(pod.preferredAffinityTerms());
    List<AffinityTerm> preferredAnti = resolveNamespaces(pod.preferredAntiAffinityTerms());
    Map<String, String> nsLabels = handle.listers().namespaceLabels(pod.namespace());
    Map<TopologyPair, Long> scores = new HashMap<>();
    for (NodeInfo node : candidates) {
      if (node.labels().isEmpty()) {
        continue;
      }
      List<PodInfo> pods = hasConstraints ? node.pods() : node.podsWithAffinity();
      for (PodInfo existing : pods) {
        processTerms(scores, preferred, existing, null, node, 1);
        processTerms(scores, preferredAnti, existing, null, node, -1);
        if (hardPodAffinityWeight > 0) {
          for (AffinityTerm t : existing.requiredAffinityTerms()) {
            processTerm(scores, t, hardPodAffinityWeight, pod, nsLabels, node, 1);
          }
        }
        if (!ignorePreferredTermsOfExistingPods) {
          processTerms(scores, existing.preferredAffinityTerms(), pod, nsLabels, node, 1);
          processTerms(scores, existing.preferredAntiAffinityTerms(), pod, nsLabels, node, -1);
        }
      }
    }
    if (scores.isEmpty()) {
      return PluginStatus.SKIP;
    }
    state.write(PRE_SCORE_KEY, new PreScoreState(scores));
    return PluginStatus.SUCCESS;
  }

  private static void processTerms(
      Map<TopologyPair, Long> scores,
      List<AffinityTerm> terms,
      PodInfo pod,
      Map<String, String> nsLabels,
      NodeInfo node,
      int multiplier) {
    for (AffinityTerm t : terms) {
      processTerm(scores, t, t.weight(), pod, nsLabels, node, multiplier);
    }
  }

  private static void processTerm(
      Map<TopologyPair, Long> scores,
      AffinityTerm term,
      int weight,
      PodInfo pod,
      Map<String, String> nsLabels,
      NodeInfo node,
      int multiplier) {
    if (term.matches(pod, nsLabels)) {
      String value = node.labels().get(term.topologyKey());
      if (value != null) {
        scores.merge(
            new TopologyPair(term.topologyKey(), value), (long) weight * multiplier, Long::sum);
      }
    }
  }

  @Override
  public long score(CycleState state, PodInfo pod, NodeInfo node) {
    PreScoreState s = state.read(PRE_SCORE_KEY);
    long score = 0;
    for (Map.Entry<TopologyPair, Long> e : s.topologyScore.entrySet()) {
      if (e.getKey().value().equals(node.labels().get(e.getKey().key()))) {
        score += e.getValue();
      }
    }
    return score;
  }

  @Override
  public void normalizeScores(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long s : scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    long diff = max - min;
    for (int i = 0; i < scores.length; i++) {
      scores[i] = diff > 0 ? (long) (MAX_NODE_SCORE * ((double) (scores[i] - min) / diff)) : 0;
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
        ClusterEvent.NAMESPACE_CHANGE,
        ClusterEvent.UNSCHEDULABLE_POD_UPDATE);
  }
}
