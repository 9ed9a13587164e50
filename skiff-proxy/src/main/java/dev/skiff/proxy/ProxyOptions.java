package dev.skiff.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of {@link KubeProxy}.
 *
 * @param nodeName this node: endpoints on it are local for the Local traffic policies
 * @param mode iptables, nftables or userspace
 * @param clusterCidr the pod network (traffic from outside it to a cluster IP is masqueraded); null
 *     to use this Node's spec.podCIDR
 * @param minSyncPeriod the least time between two syncs; changes in between are coalesced
 * @param commandRunner runs iptables-restore / iptables-save / nft (tests run them in a netns)
 * @param networkPolicy whether to enforce NetworkPolicies for this node's pods (iptables and
 *     nftables modes; the userspace mode has no packet filter to do it with)
 */
public record ProxyOptions(
    String nodeName,
    ProxyMode mode,
    String clusterCidr,
    Duration minSyncPeriod,
    CommandRunner commandRunner,
    boolean networkPolicy) {
  public static final String DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";
  public static final Duration DEFAULT_MIN_SYNC_PERIOD = Duration.ofSeconds(1);

  public ProxyOptions {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(minSyncPeriod, "minSyncPeriod");
    Objects.requireNonNull(commandRunner, "commandRunner");
  }

  /** Options with NetworkPolicy enforcement on. */
  public ProxyOptions(
      String nodeName,
      ProxyMode mode,
      String clusterCidr,
      Duration minSyncPeriod,
      CommandRunner commandRunner) {
    this(nodeName, mode, clusterCidr, minSyncPeriod, commandRunner, true);
  }

  /** Defaults: iptables, 10.42.0.0/16, 1 s, commands on this host, network policies enforced. */
  public static ProxyOptions defaults(String nodeName) {
    return new ProxyOptions(
        nodeName,
        ProxyMode.IPTABLES,
        DEFAULT_CLUSTER_CIDR,
        DEFAULT_MIN_SYNC_PERIOD,
        CommandRunner.host(),
        true);
  }

  public ProxyOptions withMode(ProxyMode newMode) {
    return new ProxyOptions(
        nodeName, newMode, clusterCidr, minSyncPeriod, commandRunner, networkPolicy);
  }

  public ProxyOptions withMinSyncPeriod(Duration period) {
    return new ProxyOptions(nodeName, mode, clusterCidr, period, commandRunner, networkPolicy);
  }

  public ProxyOptions withCommandRunner(CommandRunner runner) {
    return new ProxyOptions(nodeName, mode, clusterCidr, minSyncPeriod, runner, networkPolicy);
  }

  public ProxyOptions withNetworkPolicy(boolean enforce) {
    return new ProxyOptions(nodeName, mode, clusterCidr, minSyncPeriod, commandRunner, enforce);
  }
}
