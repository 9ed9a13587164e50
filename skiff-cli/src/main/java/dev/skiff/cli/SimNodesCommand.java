package dev.skiff.cli;

import dev.skiff.kubelet.sim.SimNodeFlags;
import dev.skiff.kubelet.sim.SimNodeOptions;
import dev.skiff.kubelet.sim.SimulatedNodes;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code skiff sim-nodes}: N simulated nodes (no containers; pods go Running by rule) against a
 * running API server, for scale work as KWOK does.
 */
@Command(
    name = "sim-nodes",
    mixinStandardHelpOptions = true,
    description = "Register simulated nodes that keep their leases and run pods by rule.",
    footer = {
      "",
      "Pods bound to these nodes go Running at once (pod IP from the node's podCIDR, else a range"
          + " of its own). Per-pod annotations:",
      "  sim.skiff.io/run-seconds   seconds until the containers exit (restartPolicy Never or"
          + " OnFailure: the pod ends; Always: the containers restart)",
      "  sim.skiff.io/exit-code     their exit code (default 0; non-zero ends a Never pod Failed)",
      "  sim.skiff.io/cpu-usage, sim.skiff.io/memory-usage   usage reported for metrics"
          + " (with --kubelet-address)",
      "Thousands of nodes fit in under 1 GB with a capped heap, e.g."
          + " JAVA_TOOL_OPTIONS=-Xmx512m skiff sim-nodes --count 5000 ..."
    })
public final class SimNodesCommand implements Callable<Integer> {

  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the API server")
  Path kubeconfig;

  @Option(names = "--count", required = true, description = "number of nodes")
  int count;

  @Option(names = "--name-prefix", defaultValue = "sim-", description = "node name prefix")
  String namePrefix;

  @Option(names = "--first-index", defaultValue = "0", description = "index of the first node")
  int firstIndex;

  @Option(names = "--cpu", defaultValue = "32", description = "cpu capacity of each node")
  String cpu;

  @Option(names = "--memory", defaultValue = "256Gi", description = "memory capacity of each node")
  String memory;

  @Option(names = "--pods", defaultValue = "110", description = "pod capacity of each node")
  int pods;

  @Option(names = "--labels", split = ",", description = "extra node labels k=v,...")
  List<String> labels = List.of();

  @Option(names = "--taints", split = ",", description = "node taints k=v:Effect,...")
  List<String> taints = List.of();

  @Option(
      names = "--zones",
      split = ",",
      description = "topology.kubernetes.io/zone values, given round-robin")
  List<String> zones = List.of();

  @Option(
      names = "--pod-run-seconds",
      description = "seconds before pods with restartPolicy Never/OnFailure exit (default: never)")
  BigDecimal podRunSeconds;

  @Option(
      names = "--node-status-report-frequency",
      defaultValue = "1m",
      description = "how often an unchanged node status is posted")
  String reportFrequency;

  @Option(
      names = "--kill-after",
      description = "stop after this long (e.g. 10m), letting the leases lapse")
  String killAfter;

  @Option(
      names = "--kubelet-address",
      description =
          "serve each node's kubelet API (/metrics/resource from the usage annotations) on its"
              + " own port of this loopback address, which becomes its InternalIP, so the API"
              + " server's metrics.k8s.io and the autoscaler see the simulated usage")
  String kubeletAddress;

  @Override
  public Integer call() throws Exception {
    SimNodeOptions options = options();
    InetAddress kubelets = kubeletAddress == null ? null : InetAddress.getByName(kubeletAddress);
    Duration stopAfter =
        killAfter == null ? null : SimNodeFlags.duration("--kill-after", killAfter);
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        SimulatedNodes nodes = SimulatedNodes.start(client, options, kubelets)) {
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
      if (nodes.awaitRegistered(Duration.ofMinutes(5))) {
        System.out.println("sim-nodes: " + count + " nodes registered");
      } else {
        System.out.println(
            "sim-nodes: " + nodes.registered() + " of " + count + " nodes registered so far");
      }
      if (stopAfter == null) {
        stopped.await();
      } else if (!stopped.await(stopAfter.toMillis(), TimeUnit.MILLISECONDS)) {
        System.out.println("sim-nodes: stopping after " + killAfter + "; leases will lapse");
      }
    }
    return 0;
  }

  SimNodeOptions options() {
    if (count < 0) {
      throw new IllegalArgumentException("--count must not be negative");
    }
    Duration runTime =
        podRunSeconds == null
            ? null
            : Duration.ofMillis(podRunSeconds.movePointRight(3).longValueExact());
    SimNodeOptions base = SimNodeOptions.of(count);
    return new SimNodeOptions(
        count,
        namePrefix,
        firstIndex,
        quantity("--cpu", cpu),
        quantity("--memory", memory),
        pods,
        SimNodeFlags.labels(labels),
        SimNodeFlags.taints(taints),
        zones,
        runTime,
        SimNodeFlags.duration("--node-status-report-frequency", reportFrequency),
        base.maxInFlight(),
        SkiffVersion.GIT_VERSION);
  }

  private static Quantity quantity(String flag, String value) {
    try {
      Quantity quantity = new Quantity(value);
      quantity.getNumericalAmount();
      return quantity;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": \"" + value + "\" is not a quantity");
    }
  }
}
