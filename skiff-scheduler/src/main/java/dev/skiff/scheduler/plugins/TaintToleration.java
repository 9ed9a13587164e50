package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreScorePlugin;
import dev.skiff.scheduler.framework.ScorePlugin;
import dev.skiff.scheduler.framework.StateData;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Rejects nodes with a NoSchedule or NoExecute taint the pod does not tolerate; prefers nodes with
 * fewer untolerated PreferNoSchedule taints.
 */
public final class TaintToleration
    implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  public static final String NAME = "TaintToleration";
  private static final String PRE_SCORE_KEY = "PreScore" + NAME;

  private record PreferNoScheduleTolerations(List<Toleration> tolerations) implements StateData {
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
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    List<Taint> taints = node.node().getSpec() == null ? null : node.node().getSpec().getTaints();
    if (taints == null || taints.isEmpty()) {
      return PluginStatus.SUCCESS;
    }
    List<Toleration> tolerations = pod.pod().getSpec().getTolerations();
    for (Taint taint : taints) {
      String effect = taint.getEffect();
      if (("NoSchedule".equals(effect) || "NoExecute".equals(effect))
          && !Taints.toleratedBy(taint, tolerations)) {
        return PluginStatus.unresolvable(
            "node(s) had untolerated taint {"
                + taint.getKey()
                + ": "
                + (taint.getValue() == null ? "" : taint.getValue())
                + "}");
      }
    }
    return PluginStatus.SUCCESS;
  }

  @Override
  public PluginStatus preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    List<Toleration> relevant = new ArrayList<>();
    List<Toleration> tolerations = pod.pod().getSpec().getTolerations();
    if (tolerations != null) {
      for (Toleration t : tolerations) {
        if (t.getEffect() == null
            || t.getEffect().isEmpty()
            || "PreferNoSchedule".equals(t.getEffect())) {
          relevant.add(t);
        }
      }
    }
    state.write(PRE_SCORE_KEY, new PreferNoScheduleTolerations(relevant));
    return PluginStatus.SUCCESS;
  }

  @Override
  public long score(CycleState state, PodInfo pod, NodeInfo node) {
    List<Taint> taints = node.node().getSpec() == null ? null : node.node().getSpec().getTaints();
    if (taints == null) {
      return 0;
    }
    PreferNoScheduleTolerations tolerations = state.read(PRE_SCORE_KEY);
    long count = 0;
    for (Taint taint : taints) {
      if ("PreferNoSchedule".equals(taint.getEffect())
          && !Taints.toleratedBy(taint, tolerations.tolerations())) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void normalizeScores(CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {
    ScorePlugin.defaultNormalize(scores, true);
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(
        ClusterEvent.NODE_ADD, ClusterEvent.NODE_UPDATE, ClusterEvent.UNSCHEDULABLE_POD_UPDATE);
  }
}
