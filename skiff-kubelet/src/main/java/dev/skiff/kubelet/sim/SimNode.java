package dev.skiff.kubelet.sim;

import dev.skiff.kubelet.node.NodeConfig;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One simulated node: its configuration and the pod IPs it hands out, from the podCIDR the cluster
 * assigned to the node when there is one, else from a range of its own. Nothing listens on its
 * addresses.
 */
public final class SimNode {
  public static final String TYPE_LABEL = "type";
  public static final String TYPE_VALUE = "sim";
  public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

  private final int index;
  private final NodeConfig config;
  private volatile PodIpRange podIps;

  SimNode(int index, NodeConfig config) {
    this.index = index;
    this.config = config;
    this.podIps = new PodIpRange(PodIpRange.defaultCidrFor(index));
  }

  /** The configuration of node {@code index} (counted from 0) under {@code options}. */
  public static NodeConfig config(SimNodeOptions options, int index) {
    String name = options.namePrefix() + (options.firstIndex() + index);
    Map<String, String> labels = new LinkedHashMap<>(options.labels());
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("beta.kubernetes.io/arch", "amd64");
    labels.put(TYPE_LABEL, TYPE_VALUE);
    if (!options.zones().isEmpty()) {
      labels.put(ZONE_LABEL, options.zones().get(index % options.zones().size()));
    }
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", options.cpu());
    capacity.put("ephemeral-storage", new Quantity("1Ti"));
    capacity.put("hugepages-1Gi", new Quantity("0"));
    capacity.put("hugepages-2Mi", new Quantity("0"));
    capacity.put("memory", options.memory());
    capacity.put("pods", new Quantity(Integer.toString(options.maxPods())));
    String id = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    NodeSystemInfo info =
        new NodeSystemInfoBuilder()
            .withMachineID(id.replace("-", ""))
            .withSystemUUID(id)
            .withBootID(id)
            .withKernelVersion("simulated")
            .withOsImage("Skiff simulated node")
            .withContainerRuntimeVersion("sim://" + options.kubeletVersion())
            .withKubeletVersion(options.kubeletVersion())
            .withKubeProxyVersion("")
            .withOperatingSystem("linux")
            .withArchitecture("amd64")
            .build();
    return new NodeConfig(
        name,
        labels,
        options.taints(),
        capacity,
        capacity,
        List.of(
            new NodeAddress(nodeIp(options.firstIndex() + index), "InternalIP"),
            new NodeAddress(name, "Hostname")),
        info,
        10250,
        null);
  }

  /** Node {@code index}'s InternalIP, from 172.16.0.0/12. */
  static String nodeIp(int index) {
    int n = Math.floorMod(index, (1 << 20) - 2) + 1;
    return "172." + (16 + (n >> 16)) + "." + ((n >> 8) & 255) + "." + (n & 255);
  }

  public NodeConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  int index() {
    return index;
  }

  /** Switches to the podCIDR the cluster assigned, for the pods that start from now on. */
  void useAssignedCidr(String podCidr) {
    if (podCidr != null && !podCidr.contains(":") && !podCidr.equals(podIps.cidr())) {
      podIps = new PodIpRange(podCidr);
    }
  }

  PodIpRange podIps() {
    return podIps;
  }
}
