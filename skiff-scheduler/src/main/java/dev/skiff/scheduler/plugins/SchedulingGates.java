package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreEnqueuePlugin;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import java.util.List;
import java.util.Set;

/** Keeps pods with spec.schedulingGates out of the active queue until the gates are removed. */
public final class SchedulingGates implements PreEnqueuePlugin, EnqueueExtensions {
  public static final String NAME = "SchedulingGates";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PluginStatus preEnqueue(PodInfo pod) {
    List<PodSchedulingGate> gates = pod.pod().getSpec().getSchedulingGates();
    if (gates == null || gates.isEmpty()) {
      return PluginStatus.SUCCESS;
    }
    List<String> names = gates.stream().map(PodSchedulingGate::getName).toList();
    return PluginStatus.unresolvable(
        "waiting for scheduling gates: [" + String.join(" ", names) + "]");
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(ClusterEvent.UNSCHEDULABLE_POD_UPDATE);
  }
}
