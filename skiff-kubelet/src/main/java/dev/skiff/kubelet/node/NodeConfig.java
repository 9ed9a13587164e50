package dev.skiff.kubelet.node;

import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a node says about itself that does not change while it runs: identity, labels and taints it
 * registers with, resources, addresses and system info. The real kubelet fills it from the host and
 * its flags, the simulated one from {@code skiff sim-nodes} flags.
 *
 * @param podCidr the pod range the node uses when the controller manager assigns none; may be null
 */
public record NodeConfig(
    String name,
    Map<String, String> labels,
    List<Taint> taints,
    Map<String, Quantity> capacity,
    Map<String, Quantity> allocatable,
    List<NodeAddress> addresses,
    NodeSystemInfo nodeInfo,
    int kubeletPort,
    String podCidr) {

  public NodeConfig {
    Objects.requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    taints = List.copyOf(taints);
    capacity = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(capacity));
    allocatable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(allocatable));
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(nodeInfo, "nodeInfo");
  }

  /** The first InternalIP address, which pods on this node report as their hostIP. */
  public String internalIp() {
    return addresses.stream()
        .filter(a -> "InternalIP".equals(a.getType()))
        .map(NodeAddress::getAddress)
        .findFirst()
        .orElse(null);
  }
}
