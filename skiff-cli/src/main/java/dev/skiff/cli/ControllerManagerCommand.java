package dev.skiff.cli;

import com.sun.net.httpserver.HttpServer;
import dev.skiff.controllers.ControllerManager;
import dev.skiff.controllers.ControllerManagerOptions;
import dev.skiff.controllers.runtime.ControllerCredentials;
import dev.skiff.controllers.runtime.ServiceAccountCredentials;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code skiff controller-manager}: the controllers alone, as an API client of a running server.
 */
@Command(
    name = "controller-manager",
    mixinStandardHelpOptions = true,
    description = "Run the controller manager against an API server (kube-controller-manager).")
public final class ControllerManagerCommand implements Callable<Integer> {

  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the API server")
  Path kubeconfig;

  @Option(
      names = "--controllers",
      split = ",",
      defaultValue = "*",
      description = "controllers to run: '*' for all, 'name' to enable, '-name' to disable")
  List<String> controllers;

  @Option(
      names = "--leader-elect",
      arity = "0..1",
      defaultValue = "true",
      fallbackValue = "true",
      description = "run only while holding the kube-system/kube-controller-manager Lease")
  boolean leaderElect;

  @Option(
      names = "--leader-elect-identity",
      description = "identity in the leader Lease (default: host name)")
  String identity;

  @Option(
      names = "--use-service-account-credentials",
      arity = "0..1",
      defaultValue = "false",
      fallbackValue = "true",
      description =
          "run each controller as its own ServiceAccount kube-system/NAME (tokens from the"
              + " TokenRequest API) instead of as the kubeconfig's user")
  boolean useServiceAccountCredentials;

  @Option(names = "--root-ca-file", description = "CA certificate published as kube-root-ca.crt")
  Path rootCaFile;

  @Option(
      names = "--bind-address",
      defaultValue = "127.0.0.1:10257",
      description = "host:port serving /metrics and /healthz (port 0 disables)")
  String bindAddress;

  @Option(names = "--concurrent-replicaset-syncs", description = "ReplicaSet workers")
  Integer replicaSetSyncs;

  @Option(names = "--concurrent-rc-syncs", description = "ReplicationController workers")
  Integer rcSyncs;

  @Option(names = "--concurrent-deployment-syncs", description = "Deployment workers")
  Integer deploymentSyncs;

  @Option(names = "--concurrent-namespace-syncs", description = "Namespace workers")
  Integer namespaceSyncs;

  @Option(names = "--concurrent-gc-syncs", description = "garbage collector workers")
  Integer gcSyncs;

  @Option(names = "--concurrent-serviceaccount-syncs", description = "ServiceAccount workers")
  Integer serviceAccountSyncs;

  @Option(
      names = "--concurrent-horizontal-pod-autoscaler-syncs",
      description = "HorizontalPodAutoscaler workers")
  Integer hpaSyncs;

  @Option(
      names = "--horizontal-pod-autoscaler-sync-period",
      defaultValue = "15s",
      description = "how often each HorizontalPodAutoscaler is synced (e.g. 15s, 1m)")
  String hpaSyncPeriod;

  @Option(
      names = "--default-local-storage-path",
      paramLabel = "DIR",
      description =
          "Run the built-in local-path provisioner, making volumes of the local-path class under"
              + " DIR on the nodes (as `skiff server` does under <data-dir>/storage). Default: off.")
  Path localStoragePath;

  @Override
  public Integer call() throws Exception {
    ControllerManagerOptions options = options();
    try (KubernetesClient client = ComponentServing.client(kubeconfig);
        ControllerManager manager =
            new ControllerManager(client, credentials(client), options, Clock.systemUTC())) {
      HttpServer http =
          ComponentServing.serveMetrics(bindAddress, manager::metricsText, manager::healthy);
      CountDownLatch stopped = ComponentServing.shutdownLatch();
      manager.start();
      stopped.await();
      if (http != null) {
        http.stop(0);
      }
    }
    return 0;
  }

  ControllerManagerOptions options() throws IOException {
    Map<String, Integer> syncs = new HashMap<>();
    putIfSet(syncs, "replicaset", replicaSetSyncs);
    putIfSet(syncs, "replicationcontroller", rcSyncs);
    putIfSet(syncs, "deployment", deploymentSyncs);
    putIfSet(syncs, "namespace", namespaceSyncs);
    putIfSet(syncs, "garbage-collector", gcSyncs);
    putIfSet(syncs, "serviceaccount", serviceAccountSyncs);
    putIfSet(syncs, "horizontalpodautoscaling", hpaSyncs);
    String self = identity != null ? identity : hostName();
    ControllerManagerOptions options =
        ControllerManagerOptions.defaults()
            .withControllers(controllers)
            .withConcurrentSyncs(syncs)
            .withLeaderElect(leaderElect, self)
            .withHorizontalPodAutoscalerSyncPeriod(ProxyCommand.parseDuration(hpaSyncPeriod));
    if (rootCaFile != null) {
      options = options.withRootCaPem(Files.readString(rootCaFile));
    }
    if (localStoragePath != null) {
      options = options.withLocalStoragePath(localStoragePath);
    }
    return options;
  }

  ControllerCredentials credentials(KubernetesClient client) {
    return useServiceAccountCredentials
        ? new ServiceAccountCredentials(client, Clock.systemUTC())
        : ControllerCredentials.shared(client);
  }

  private static void putIfSet(Map<String, Integer> syncs, String controller, Integer workers) {
    if (workers != null) {
      if (workers < 1) {
        throw new IllegalArgumentException(
            "--concurrent-*-syncs must be at least 1, got " + workers + " for " + controller);
      }
      syncs.put(controller, workers);
    }
  }

  private static String hostName() {
    String host = System.getenv("HOSTNAME");
    if (host != null && !host.isBlank()) {
      return host;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "skiff-controller-manager-" + ProcessHandle.current().pid();
    }
  }
}
