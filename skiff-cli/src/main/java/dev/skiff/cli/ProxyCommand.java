package dev.skiff.cli;

import dev.skiff.proxy.CommandRunner;
import dev.skiff.proxy.KubeProxy;
import dev.skiff.proxy.ProxyMode;
import dev.skiff.proxy.ProxyOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skiff proxy}: kube-proxy alone, as an API client of a running server. */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    description =
        "Route service traffic on this node (kube-proxy): iptables, nftables or userspace.")
public final class ProxyCommand implements Callable<Integer> {

  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the API server")
  Path kubeconfig;

  @Option(
      names = "--node-name",
      required = true,
      description = "this node's name (its endpoints are local)")
  String nodeName;

  @Option(
      names = "--proxy-mode",
      defaultValue = "iptables",
      description = "iptables, nftables or userspace (default: ${DEFAULT-VALUE})")
  String proxyMode;

  @Option(
      names = "--cluster-cidr",
      defaultValue = ProxyOptions.DEFAULT_CLUSTER_CIDR,
      description = "the pod network; other sources are masqueraded (default: ${DEFAULT-VALUE})")
  String clusterCidr;

  @Option(
      names = "--iptables-min-sync-period",
      defaultValue = "1s",
      description = "least time between two rule syncs, e.g. 1s, 500ms (default: ${DEFAULT-VALUE})")
  String minSyncPeriod;

  @Option(
      names = "--disable-network-policy",
      description = "do not enforce NetworkPolicies for this node's pods (they are by default)")
  boolean disableNetworkPolicy;

  @Override
  public Integer call() throws Exception {
    ProxyOptions options = options();
    try (KubernetesClient client = ComponentServing.client(kubeconfig);
        KubeProxy proxy = new KubeProxy(client, options)) {
      CountDownLatch stopped = ComponentServing.shutdownLatch();
      proxy.start();
      stopped.await();
    }
    return 0;
  }

  /** The proxy options the flags describe. */
  ProxyOptions options() {
    return new ProxyOptions(
        nodeName,
        ProxyMode.parse(proxyMode),
        clusterCidr,
        parseDuration(minSyncPeriod),
        CommandRunner.host(),
        !disableNetworkPolicy);
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  /** A Go-style duration with one unit: {@code 500ms}, {@code 1s}, {@code 2m}. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid duration " + text + " (e.g. 1s, 500ms, 2m)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }
}
