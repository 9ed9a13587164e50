package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import java.util.Set;

/** Rejects every node but the one named in spec.nodeName, when set. */
public final class NodeName implements FilterPlugin, EnqueueExtensions {
  public static final String NAME = "NodeName";
  static final String REASON = "node(s) didn't match the requested node name";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    String wanted = pod.pod().getSpec().getNodeName();
    if (wanted == null || wanted.isEmpty() || wanted.equals(node.name())) {
      return PluginStatus.SUCCESS;
    }
    return PluginStatus.unresolvable(REASON);
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(ClusterEvent.NODE_ADD, ClusterEvent.NODE_UPDATE);
  }
}
