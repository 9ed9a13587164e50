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
 */
public record ProxyOptions(
    String nodeName,
    ProxyMode mode,
    String clusterCidr,
    Duration minSyncPeriod,
    CommandRunner commandRunner) {
  public static final String DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";
  public static final Duration DEFAULT_MIN_SYNC_PERIOD = Duration.ofSeconds(1);

  public ProxyOptions {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(minSyncPeriod, "minSyncPeriod");
    Objects.requireNonNull(commandRunner, "commandRunner");
  }

  /** Defaults: iptables, 10.42.0.0/16, 1 s, commands on this host. */
  public static ProxyOptions defaults(String nodeName) {
    return new ProxyOptions(
        nodeName,
        ProxyMode.IPTABLES,
        DEFAULT_CLUSTER_CIDR,
        DEFAULT_MIN_SYNC_PERIOD,
        CommandRunner.host());
  }

  public ProxyOptions withMode(ProxyMode newMode) {
    return new ProxyOptions(nodeName, newMode, clusterCidr, minSyncPeriod, commandRunner);
  }

  public ProxyOptions withMinSyncPeriod(Duration period) {
    return new ProxyOptions(nodeName, mode, clusterCidr, period, commandRunner);
  }

  public ProxyOptions withCommandRunner(CommandRunner runner) {
    return new ProxyOptions(nodeName, mode, clusterCidr, minSyncPeriod, runner);
  }
}
