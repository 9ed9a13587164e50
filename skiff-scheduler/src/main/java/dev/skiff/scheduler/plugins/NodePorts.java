package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.HostPort;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.PreFilterResult;
import java.util.List;
import java.util.Set;

/** Rejects nodes where a host port the pod asks for is already taken. */
public final class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  public static final String NAME = "NodePorts";
  static final String REASON = "node(s) didn't have free ports for the requested pod ports";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    return pod.hostPorts().isEmpty() ? PreFilterResult.SKIP : PreFilterResult.SUCCESS;
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    for (HostPort wanted : pod.hostPorts()) {
      for (HostPort used : node.usedPorts()) {
        if (wanted.conflictsWith(used)) {
          return PluginStatus.unschedulable(REASON);
        }
      }
    }
    return PluginStatus.SUCCESS;
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(ClusterEvent.ASSIGNED_POD_DELETE, ClusterEvent.NODE_ADD);
  }
}
