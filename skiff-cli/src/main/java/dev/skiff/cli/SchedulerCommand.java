package dev.skiff.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.skiff.scheduler.Scheduler;
import dev.skiff.scheduler.SchedulerConfiguration;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
    Config clientConfig = Config.fromKubeconfig(Files.readString(kubeconfig));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig).build();
        Scheduler scheduler = new Scheduler(client, config, Clock.systemUTC())) {
      HttpServer http = serveMetrics(scheduler);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
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

  private HttpServer serveMetrics(Scheduler scheduler) throws IOException {
    int colon = bindAddress.lastIndexOf(':');
    int port = Integer.parseInt(bindAddress.substring(colon + 1));
    if (port == 0) {
      return null;
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(bindAddress.substring(0, colon), port), 0);
    server.createContext("/metrics", exchange -> respond(exchange, scheduler.metricsText()));
    server.createContext("/healthz", exchange -> respond(exchange, "ok"));
    server.start();
    return server;
  }

  private static void respond(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
