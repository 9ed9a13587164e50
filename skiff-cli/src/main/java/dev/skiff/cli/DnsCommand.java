package dev.skiff.cli;

import dev.skiff.dns.DnsOptions;
import dev.skiff.dns.DnsServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skiff dns}: the cluster DNS server alone, as an API client of a running server. */
@Command(
    name = "dns",
    mixinStandardHelpOptions = true,
    description = "Serve cluster DNS (services, endpoints, pods) from an API server (CoreDNS).")
public final class DnsCommand implements Callable<Integer> {

  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the API server")
  Path kubeconfig;

  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:53",
      description = "ADDR:PORT to serve UDP and TCP on (default: ${DEFAULT-VALUE})")
  String listen;

  @Option(
      names = "--cluster-domain",
      defaultValue = DnsOptions.DEFAULT_CLUSTER_DOMAIN,
      description = "the zone served (default: ${DEFAULT-VALUE})")
  String clusterDomain;

  @Option(
      names = "--upstream",
      description =
          "ADDR[:PORT] answering names outside the cluster, repeatable, tried in order"
              + " (default: none, such names are REFUSED)")
  List<String> upstreams = new ArrayList<>();

  @Option(
      names = "--ttl",
      defaultValue = "" + DnsOptions.DEFAULT_TTL,
      description = "TTL of every record in seconds (default: ${DEFAULT-VALUE})")
  long ttl;

  @Override
  public Integer call() throws Exception {
    DnsOptions options = options();
    try (KubernetesClient client = ComponentServing.client(kubeconfig);
        DnsServer dns = new DnsServer(client, options)) {
      CountDownLatch stopped = ComponentServing.shutdownLatch();
      dns.start();
      stopped.await();
    }
    return 0;
  }

  /** The server options the flags describe. */
  DnsOptions options() {
    InetSocketAddress address = DnsOptions.parseAddress(listen, 53);
    return new DnsOptions(
        address.getAddress(),
        address.getPort(),
        clusterDomain,
        upstreams.stream().map(u -> DnsOptions.parseAddress(u, 53)).toList(),
        ttl);
  }
}
