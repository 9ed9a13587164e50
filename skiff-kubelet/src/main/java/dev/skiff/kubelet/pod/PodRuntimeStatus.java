package dev.skiff.kubelet.pod;

import java.util.List;
import java.util.Map;

/**
 * What the runtime reports about a pod: whether its sandbox (network namespace and IP) is ready,
 * its IPs, the node's IPs, and each container it knows by name (init and regular alike; a container
 * it does not know yet is missing from the map).
 */
public record PodRuntimeStatus(
    boolean sandboxReady,
    List<String> podIps,
    List<String> hostIps,
    Map<String, ContainerRuntimeStatus> containers) {

  public PodRuntimeStatus {
    podIps = List.copyOf(podIps);
    hostIps = List.copyOf(hostIps);
    containers = Map.copyOf(containers);
  }
}
