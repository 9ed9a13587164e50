package dev.skiff.kubelet.node;

import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Computes a node's status as the kubelet reports it: capacity and allocatable, the four conditions
 * in the kubelet's order with its reasons and messages, addresses, daemon endpoints and system
 * info. A condition keeps its lastTransitionTime while its status stays the same; its
 * lastHeartbeatTime is the time of each computation.
 */
public final class NodeStatusGenerator {
  public static final String READY = "Ready";
  public static final String MEMORY_PRESSURE = "MemoryPressure";
  public static final String DISK_PRESSURE = "DiskPressure";
  public static final String PID_PRESSURE = "PIDPressure";

  private NodeStatusGenerator() {}

  /** The Node object the kubelet creates when it registers. */
  public static Node registration(NodeConfig config, NodeHealth health, Instant now) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(config.name())
        .withLabels(new java.util.TreeMap<>(config.labels()))
        .addToAnnotations("node.alpha.kubernetes.io/ttl", "0")
        .addToAnnotations("volumes.kubernetes.io/controller-managed-attach-detach", "true")
        .endMetadata()
        .withNewSpec()
        .withTaints(config.taints().isEmpty() ? null : config.taints())
        .withPodCIDR(config.podCidr())
        .withPodCIDRs(config.podCidr() == null ? null : List.of(config.podCidr()))
        .endSpec()
        .withStatus(generate(config, health, List.of(), now))
        .build();
  }

  /**
   * The status to report now.
   *
   * @param previous the conditions last reported (their transition times are kept when unchanged)
   */
  public static NodeStatus generate(
      NodeConfig config, NodeHealth health, List<NodeCondition> previous, Instant now) {
    List<NodeCondition> conditions = new ArrayList<>(4);
    conditions.add(
        condition(
            previous,
            MEMORY_PRESSURE,
            health.memoryPressure(),
            health.memoryPressure() ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
            health.memoryPressure()
                ? "kubelet has insufficient memory available"
                : "kubelet has sufficient memory available",
            now));
    conditions.add(
        condition(
            previous,
            DISK_PRESSURE,
            health.diskPressure(),
            health.diskPressure() ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
            health.diskPressure() ? "kubelet has disk pressure" : "kubelet has no disk pressure",
            now));
    conditions.add(
        condition(
            previous,
            PID_PRESSURE,
            health.pidPressure(),
            health.pidPressure() ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
            health.pidPressure()
                ? "kubelet has insufficient PID available"
                : "kubelet has sufficient PID available",
            now));
    conditions.add(
        condition(
            previous,
            READY,
            health.ready(),
            health.ready() ? "KubeletReady" : "KubeletNotReady",
            health.ready() ? "kubelet is posting ready status" : health.notReadyMessage(),
            now));
    return new NodeStatusBuilder()
        .withCapacity(new java.util.LinkedHashMap<>(config.capacity()))
        .withAllocatable(new java.util.LinkedHashMap<>(config.allocatable()))
        .withConditions(conditions)
        .withAddresses(config.addresses())
        .withNewDaemonEndpoints()
        .withNewKubeletEndpoint()
        .withPort(config.kubeletPort())
        .endKubeletEndpoint()
        .endDaemonEndpoints()
        .withNodeInfo(config.nodeInfo())
        .build();
  }

  /**
   * Whether {@code current} says something {@code reported} did not, ignoring heartbeat times: the
   * kubelet posts such a status at once instead of waiting for the report frequency.
   */
  public static boolean changed(NodeStatus reported, NodeStatus current) {
    if (reported == null) {
      return true;
    }
    return !Objects.equals(withoutHeartbeats(reported), withoutHeartbeats(current));
  }

  private static NodeStatus withoutHeartbeats(NodeStatus status) {
    NodeStatus copy = new NodeStatusBuilder(status).build();
    List<NodeCondition> conditions = new ArrayList<>();
    for (NodeCondition c : status.getConditions()) {
      conditions.add(new NodeConditionBuilder(c).withLastHeartbeatTime(null).build());
    }
    copy.setConditions(conditions);
    return copy;
  }

  private static NodeCondition condition(
      List<NodeCondition> previous,
      String type,
      boolean conditionTrue,
      String reason,
      String message,
      Instant now) {
    String status = conditionTrue ? "True" : "False";
    String transition = Timestamps.time(now);
    for (NodeCondition old : previous) {
      if (type.equals(old.getType()) && status.equals(old.getStatus())) {
        transition = old.getLastTransitionTime();
      }
    }
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastHeartbeatTime(Timestamps.time(now))
        .withLastTransitionTime(transition)
        .build();
  }
}
