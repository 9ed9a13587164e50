package dev.skiff.cli;

import com.sun.net.httpserver.HttpServer;
import dev.skiff.scheduler.Scheduler;
import dev.skiff.scheduler.SchedulerConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skiff scheduler}: kube-scheduler alone, as an API client of a running server. */
@Command(
    name = "scheduler",
    mixinStandardHelpOptions = true,
    description = "Run the scheduler against an API server (kube-scheduler).")
public final class SchedulerCommand implements Callable<Integer> {

  @Option(names = "--kubeconfig", required = true, description = "kubeconfig of the API server")
  Path kubeconfig;

  @Option(
      names = "--scheduler-config",
      description = "KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)")
  Path schedulerConfig;

  @Option(
      names = "--leader-elect",
      arity = "0..1",
      fallbackValue = "true",
      description =
          "schedule only while holding the kube-system/kube-scheduler Lease"
              + " (default: the config file's leaderElection.leaderElect, else true)")
  Boolean leaderElect;

  @Option(
      names = "--bind-address",
      defaultValue = "127.0.0.1:10259",
      description = "host:port serving /metrics and /healthz (port 0 disables)")
  String bindAddress;

  @Override
  public Integer call() throws Exception {
    SchedulerConfiguration config = configuration();
    try (KubernetesClient client = ComponentServing.client(kubeconfig);
        Scheduler scheduler = new Scheduler(client, config, Clock.systemUTC())) {
      HttpServer http =
          ComponentServing.serveMetrics(bindAddress, scheduler::metricsText, () -> true);
      CountDownLatch stopped = ComponentServing.shutdownLatch();
      scheduler.start();
      stopped.await();
      if (http != null) {
        http.stop(0);
      }
    }
    return 0;
  }

  /** The configuration file (or the defaults) with --leader-elect applied. */
  SchedulerConfiguration configuration() {
    SchedulerConfiguration config =
        schedulerConfig == null
            ? SchedulerConfiguration.defaults()
            : SchedulerConfiguration.load(schedulerConfig);
    return leaderElect == null ? config : config.withLeaderElect(leaderElect);
  }
}
