package dev.skiff.kubelet.network;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a node joins the pod network.
 *
 * @param nodeName this node's Node name
 * @param clusterCidr {@code --cluster-cidr}, the range all podCIDRs come from (default
 *     10.42.0.0/16)
 * @param backend {@code --flannel-backend}
 * @param cniConfDir where containerd reads CNI configuration ({@code
 *     <data-dir>/agent/etc/cni/net.d})
 * @param ipamDataDir host-local's lease directory ({@code <data-dir>/agent/cni/networks})
 * @param commands runs ip/iptables in the node's network namespace
 * @param podCidrTimeout how long to wait for the node IPAM controller to assign spec.podCIDR
 */
public record PodNetworkOptions(
    String nodeName,
    String clusterCidr,
    Backend backend,
    Path cniConfDir,
    Path ipamDataDir,
    HostCommands commands,
    Duration podCidrTimeout) {

  public static final String DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";

  public PodNetworkOptions {
    Cidr.parse(clusterCidr);
  }

  /** The defaults for a node whose agent data directory is {@code dataDir}. */
  public static PodNetworkOptions defaults(String nodeName, Path dataDir) {
    return new PodNetworkOptions(
        nodeName,
        DEFAULT_CLUSTER_CIDR,
        Backend.HOST_GW,
        dataDir.resolve("agent/etc/cni/net.d"),
        dataDir.resolve("agent/cni/networks"),
        HostCommands.current(),
        Duration.ofMinutes(2));
  }

  public PodNetworkOptions withClusterCidr(String cidr) {
    return new PodNetworkOptions(
        nodeName, cidr, backend, cniConfDir, ipamDataDir, commands, podCidrTimeout);
  }

  public PodNetworkOptions withBackend(Backend podBackend) {
    return new PodNetworkOptions(
        nodeName, clusterCidr, podBackend, cniConfDir, ipamDataDir, commands, podCidrTimeout);
  }

  public PodNetworkOptions withCommands(HostCommands hostCommands) {
    return new PodNetworkOptions(
        nodeName, clusterCidr, backend, cniConfDir, ipamDataDir, hostCommands, podCidrTimeout);
  }

  /** How pod traffic reaches other nodes. */
  public enum Backend {
    /** Routes via each node's InternalIP; nodes share one L2 segment. */
    HOST_GW,
    /** Pod traffic between nodes encapsulated in VXLAN; nodes only need IP reachability. */
    VXLAN;

    /** Parses a {@code --flannel-backend} value: {@code host-gw} or {@code vxlan}. */
    public static Backend parse(String flag) {
      return switch (flag) {
        case "host-gw" -> HOST_GW;
        case "vxlan" -> VXLAN;
        default ->
            throw new IllegalArgumentException(
                "unsupported --flannel-backend " + flag + " (supported: host-gw, vxlan)");
      };
    }
  }
}
