package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.Set;

/** Rejects cordoned nodes (spec.unschedulable) unless the pod tolerates the unschedulable taint. */
public final class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  public static final String NAME = "NodeUnschedulable";
  static final String REASON = "node(s) were unschedulable";
  private static final Taint UNSCHEDULABLE_TAINT =
      new Taint("NoSchedule", "node.kubernetes.io/unschedulable", null, null);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    Boolean unschedulable =
        node.node().getSpec() == null ? null : node.node().getSpec().getUnschedulable();
    if (!Boolean.TRUE.equals(unschedulable)
        || Taints.toleratedBy(UNSCHEDULABLE_TAINT, pod.pod().getSpec().getTolerations())) {
      return PluginStatus.SUCCESS;
    }
    return PluginStatus.unresolvable(REASON);
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(
        ClusterEvent.NODE_ADD, ClusterEvent.NODE_UPDATE, ClusterEvent.UNSCHEDULABLE_POD_UPDATE);
  }
}
