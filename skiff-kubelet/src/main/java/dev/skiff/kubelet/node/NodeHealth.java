package dev.skiff.kubelet.node;

/**
 * The node's view of its own health, from which the Ready and pressure conditions are computed. The
 * simulated runtime is always healthy; the real kubelet derives it from its container runtime and
 * eviction signals.
 *
 * @param notReadyMessage why the node is not ready (shown in the Ready condition); null when ready
 */
public record NodeHealth(
    boolean ready,
    String notReadyMessage,
    boolean memoryPressure,
    boolean diskPressure,
    boolean pidPressure) {

  public static final NodeHealth HEALTHY = new NodeHealth(true, null, false, false, false);

  public static NodeHealth notReady(String message) {
    return new NodeHealth(false, message, false, false, false);
  }
}
