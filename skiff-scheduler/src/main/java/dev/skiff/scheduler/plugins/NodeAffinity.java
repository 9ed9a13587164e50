package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.PreFilterResult;
import dev.skiff.scheduler.framework.PreScorePlugin;
import dev.skiff.scheduler.framework.ScorePlugin;
import dev.skiff.scheduler.framework.StateData;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * spec.nodeSelector and required node affinity as a filter, preferred node affinity as a score (sum
 * of the weights of matching terms), plus the profile-wide addedAffinity of the args.
 */
public final class NodeAffinity
    implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  public static final String NAME = "NodeAffinity";
  static final String REASON_POD = "node(s) didn't match Pod's node affinity/selector";
  static final String REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
  static final String REASON_CONFLICT = "pod affinity terms conflict";
  private static final String PRE_FILTER_KEY = "PreFilter" + NAME;
  private static final String PRE_SCORE_KEY = "PreScore" + NAME;

  private final io.fabric8.kubernetes.api.model.NodeAffinity addedAffinity;

  public NodeAffinity(io.fabric8.kubernetes.api.model.NodeAffinity addedAffinity) {
    this.addedAffinity = addedAffinity;
  }

  private record Required(RequiredNodeAffinity affinity) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  private record Preferred(List<PreferredSchedulingTerm> terms) implements StateData {
    @Override
    public StateData copy() {
      return this;
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    RequiredNodeAffinity required = RequiredNodeAffinity.of(pod.pod());
    boolean enforced =
        addedAffinity != null
            && addedAffinity.getRequiredDuringSchedulingIgnoredDuringExecution() != null;
    if (required.nodeSelector().isEmpty() && required.terms() == null && !enforced) {
      return PreFilterResult.SKIP;
    }
    state.write(PRE_FILTER_KEY, new Required(required));
    if (required.terms() == null) {
      return PreFilterResult.SUCCESS;
    }
    Set<String> nodeNames = null;
    for (NodeSelectorTerm t : required.terms()) {
      Set<String> termNames = null;
      if (t.getMatchFields() != null) {
        for (NodeSelectorRequirement r : t.getMatchFields()) {
          if ("metadata.name".equals(r.getKey()) && "In".equals(r.getOperator())) {
            Set<String> s = new HashSet<>(r.getValues() == null ? List.of() : r.getValues());
            if (termNames == null) {
              termNames = s;
            } else {
              termNames.retainAll(s);
            }
          }
        }
      }
      if (termNames == null) {
        return PreFilterResult.SUCCESS;
      }
      if (nodeNames == null) {
        nodeNames = new HashSet<>();
      }
      nodeNames.addAll(termNames);
    }
    if (nodeNames != null && nodeNames.isEmpty()) {
      return PreFilterResult.of(PluginStatus.unresolvable(REASON_CONFLICT));
    }
    return nodeNames == null ? PreFilterResult.SUCCESS : PreFilterResult.onlyNodes(nodeNames);
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    if (addedAffinity != null
        && addedAffinity.getRequiredDuringSchedulingIgnoredDuringExecution() != null
        && !RequiredNodeAffinity.anyTermMatches(
            addedAffinity
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms(),
            node.node())) {
      return PluginStatus.unresolvable(REASON_ENFORCED);
    }
    Required required = state.read(PRE_FILTER_KEY);
    RequiredNodeAffinity affinity =
        required != null ? required.affinity() : RequiredNodeAffinity.of(pod.pod());
    return affinity.matches(node.node())
        ? PluginStatus.SUCCESS
        : PluginStatus.unresolvable(REASON_POD);
  }

  @Override
  public PluginStatus preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    List<PreferredSchedulingTerm> terms = new ArrayList<>();
    var spec = pod.pod().getSpec();
    if (spec.getAffinity() != null
        && spec.getAffinity().getNodeAffinity() != null
        && spec.getAffinity().getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()
            != null) {
      terms.addAll(
          spec.getAffinity()
              .getNodeAffinity()
              .getPreferredDuringSchedulingIgnoredDuringExecution());
    }
    if (addedAffinity != null
        && addedAffinity.getPreferredDuringSchedulingIgnoredDuringExecution() != null) {
      terms.addAll(addedAffinity.getPreferredDuringSchedulingIgnoredDuringExecution());
    }
    if (terms.isEmpty()) {
      return PluginStatus.SKIP;
    }
    state.write(PRE_SCORE_KEY, new Preferred(List.copyOf(terms)));
    return PluginStatus.SUCCESS;
  }

  @Override
  public long score(CycleState state, PodInfo pod, NodeInfo node) {
    Preferred preferred = state.read(PRE_SCORE_KEY);
    long score = 0;
    for (PreferredSchedulingTerm t : preferred.terms()) {
      if (t.getWeight() != null
          && t.getWeight() != 0
          && t.getPreference() != null
          && RequiredNodeAffinity.termMatches(t.getPreference(), node.node())) {
        score += t.getWeight();
      }
    }
    return score;
  }

  @Override
  public void normalizeScores(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
    ScorePlugin.defaultNormalize(scores, false);
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(
        ClusterEvent.NODE_ADD, ClusterEvent.NODE_UPDATE, ClusterEvent.UNSCHEDULABLE_POD_UPDATE);
  }
}
