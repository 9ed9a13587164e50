package dev.skiff.bench.scale;

import dev.skiff.kubelet.node.HeartbeatLoop;
import dev.skiff.kubelet.sim.SimNodeFlags;
import dev.skiff.kubelet.sim.SimulatedNodes;
import dev.skiff.scheduler.Scheduler;
import dev.skiff.scheduler.SchedulerConfiguration;
import dev.skiff.testing.SkiffCluster;
import dev.skiff.testing.SkiffServerProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The scale harness, in the spirit of Kubernetes' scheduler_perf, measured end to end through the
 * API server: it registers simulated nodes in this process, creates pods concurrently, observes
 * their bindings through one watch, and reports throughput (average and per-second percentiles),
 * scheduling latency p50/p90/p99 and the CPU and peak RSS of this process and of the server.
 *
 * <pre>
 * java -cp ... dev.skiff.bench.scale.ScaleHarness --workload SchedulingBasic --nodes 5000 \
 *     --pods 10000 --kubeconfig admin.kubeconfig [--server-pid PID] | --skiff-jar skiff.jar
 * </pre>
 */
@Command(
    name = "scale-harness",
    mixinStandardHelpOptions = true,
    description = "Measure scheduling end to end with simulated nodes.")
public final class ScaleHarness implements Callable<Integer> {

  @Option(
      names = "--workload",
      defaultValue = "SchedulingBasic",
      description = "one of ${COMPLETION-CANDIDATES}")
  Workload workload;

  @Option(names = "--nodes", defaultValue = "5000", description = "simulated nodes")
  int nodes;

  @Option(names = "--pods", defaultValue = "10000", description = "measured pods")
  int pods;

  @Option(names = "--quick", description = "smoke test: 500 nodes, 2,000 pods")
  boolean quick;

  @Option(names = "--kubeconfig", description = "kubeconfig of a running skiff server")
  Path kubeconfig;

  @Option(names = "--server-pid", description = "pid of that server, to report its CPU and RSS")
  Long serverPid;

  @Option(
      names = "--skiff-jar",
      description =
          "without --kubeconfig: start `skiff server` from this jar (default: -Dskiff.jar)")
  Path skiffJar;

  @Option(
      names = "--datastore",
      defaultValue = "memory",
      description = "in-process cluster (no --kubeconfig, no jar): memory or sqlite")
  String datastore;

  @Option(names = "--concurrency", defaultValue = "100", description = "pod creates in flight")
  int concurrency;

  @Option(names = "--timeout", defaultValue = "10m", description = "give up waiting for bindings")
  String timeout;

  @Option(names = "--hold", defaultValue = "60s", description = "SimNodesIdle: how long to hold")
  String hold;

  @Option(
      names = "--output",
      defaultValue = "docs/benchmarks.md",
      description = "file whose scheduling table gets the result row")
  Path output;

  @Option(names = "--no-write", description = "print the result only")
  boolean noWrite;

  @Option(names = "--keep", description = "leave the namespace, pods and nodes for inspection")
  boolean keep;

  private final List<String> args;

  ScaleHarness(List<String> args) {
    this.args = List.copyOf(args);
  }

  public static void main(String[] args) {
    int code =
        new CommandLine(new ScaleHarness(List.of(args)))
            .setCaseInsensitiveEnumValuesAllowed(true)
            .execute(args);
    System.exit(code);
  }

  @Override
  public Integer call() throws Exception {
    if (quick) {
      nodes = 500;
      pods = 2000;
    }
    SkiffServerProcess server = null;
    SkiffCluster inProcess = null;
    Scheduler scheduler = null;
    Path config = kubeconfig;
    Long pid = serverPid;
    String where = "kubeconfig";
    if (config == null) {
      if (skiffJar != null) {
        System.setProperty("skiff.jar", skiffJar.toString());
      }
      if (System.getProperty("skiff.jar") != null) {
        server =
            SkiffServerProcess.start(Files.createTempDirectory("skiff-bench-").resolve("server"));
        config = server.kubeconfig();
        pid = server.pid();
        where = "skiff server process";
      } else {
        // API server and scheduler in this JVM: their CPU and memory count as the harness's
        inProcess =
            (datastore.equals("sqlite") ? SkiffCluster.sqlite() : SkiffCluster.memory()).start();
        config = inProcess.kubeconfigPath();
        scheduler =
            new Scheduler(
                inProcess.newClient(), SchedulerConfiguration.defaults(), InstantSource.system());
        scheduler.start();
        where = "in-process " + datastore + " cluster and scheduler";
      }
    }
    System.out.println("scale-harness: " + workload + " against " + where);
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(config)))
            .build()) {
      Result result = run(client, pid);
      System.out.println(result.summary());
      if (!noWrite) {
        if (workload == Workload.SimNodesIdle) {
          BenchmarksDoc.write(
              BenchmarksDoc.SIM_NODES, output, result.fleetKey(), result.fleetRow(hold, command()));
        } else {
          BenchmarksDoc.write(
              BenchmarksDoc.SCHEDULING, output, result.key(), result.row(command()));
        }
        System.out.println("wrote " + output);
      }
      return result.complete() ? 0 : 2;
    } finally {
      if (scheduler != null) {
        scheduler.close();
      }
      if (inProcess != null) {
        inProcess.close();
      }
      if (server != null) {
        server.close();
      }
    }
  }

  /** The command line to repeat this run: JVM memory and GC flags, then the harness's own. */
  private String command() {
    List<String> shown = new ArrayList<>();
    for (String flag :
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("-Xm") || flag.startsWith("-XX:+Use") || flag.startsWith("-XX:Max")) {
        shown.add(flag);
      }
    }
    shown.add("ScaleHarness");
    for (String arg : args) {
      shown.add(arg.contains(" ") ? "'" + arg + "'" : arg);
    }
    return "java " + String.join(" ", shown);
  }

  record Result(
      Workload workload,
      int nodes,
      int pods,
      int bound,
      Percentiles throughput,
      double averageThroughput,
      Percentiles latencyMillis,
      ProcessStats harness,
      Duration harnessCpu,
      ProcessStats server,
      Duration serverCpu,
      HeartbeatLoop.Lateness lateness) {

    boolean complete() {
      return bound == pods;
    }

    String key() {
      return "| " + workload + " | " + nodes + " | " + pods + " |";
    }

    String row(String command) {
      return key()
          + String.format(
              Locale.ROOT,
              " %.0f | %.0f | %.0f | %.0f | %.0f ms | %.0f ms | %.0f ms | %.1f s | %d MB | %s | %s |"
                  + " %s | `%s` |",
              averageThroughput,
              throughput.p50(),
              throughput.p90(),
              throughput.p99(),
              latencyMillis.p50(),
              latencyMillis.p90(),
              latencyMillis.p99(),
              harnessCpu.toMillis() / 1000.0,
              harness.peakRssMegabytes(),
              server == null
                  ? "n/a"
                  : String.format(Locale.ROOT, "%.1f s", serverCpu.toMillis() / 1000.0),
              server == null ? "n/a" : server.peakRssMegabytes() + " MB",
              LocalDate.now(ZoneOffset.UTC),
              command)
          + (complete() ? "" : " (" + bound + " of " + pods + " bound)");
    }

    String fleetKey() {
      return "| " + nodes + " |";
    }

    String fleetRow(String held, String command) {
      return fleetKey()
          + String.format(
              Locale.ROOT,
              " %s | %d | %d | %d ms | %.1f s | %d | %.1f s | %d MB | %s | %s | %s | `%s` |",
              held,
              lateness.ticks(),
              lateness.lateOverOneSecond(),
              lateness.maxLateMillis(),
              lateness.maxRenewGapMillis() / 1000.0,
              lateness.lapses(),
              harnessCpu.toMillis() / 1000.0,
              harness.peakRssMegabytes(),
              server == null
                  ? "in-process"
                  : String.format(Locale.ROOT, "%.1f s", serverCpu.toMillis() / 1000.0),
              server == null ? "in-process" : server.peakRssMegabytes() + " MB",
              LocalDate.now(ZoneOffset.UTC),
              command);
    }

    String summary() {
      return String.format(
          Locale.ROOT,
          "%s nodes=%d pods=%d bound=%d throughput avg=%.0f pods/s p50=%.0f p90=%.0f p99=%.0f"
              + " latency p50=%.0fms p90=%.0fms p99=%.0fms harness cpu=%.1fs rss=%dMB peak=%dMB"
              + " server cpu=%s peak=%s leases ticks=%d late>1s=%d max_late=%dms max_gap=%dms"
              + " lapses=%d",
          workload,
          nodes,
          pods,
          bound,
          averageThroughput,
          throughput.p50(),
          throughput.p90(),
          throughput.p99(),
          latencyMillis.p50(),
          latencyMillis.p90(),
          latencyMillis.p99(),
          harnessCpu.toMillis() / 1000.0,
          harness.rssMegabytes(),
          harness.peakRssMegabytes(),
          server == null ? "n/a" : serverCpu.toMillis() / 1000.0 + "s",
          server == null ? "n/a" : server.peakRssMegabytes() + "MB",
          lateness.ticks(),
          lateness.lateOverOneSecond(),
          lateness.maxLateMillis(),
          lateness.maxRenewGapMillis(),
          lateness.lapses());
    }
  }

  private Result run(KubernetesClient client, Long pid) throws Exception {
    String runLabel = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    String namespace = "bench-" + runLabel;
    int measured = workload.measurablePods(nodes, pods);
    Duration waitLimit = SimNodeFlags.duration("--timeout", timeout);
    ProcessStats harnessBefore = ProcessStats.self();
    ProcessStats serverBefore = pid == null ? null : ProcessStats.of(pid);

    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    createPriorityClasses(client);
    SimulatedNodes fleet = SimulatedNodes.start(client, workload.nodes(nodes, runLabel));
    Map<String, Long> boundAt = new ConcurrentHashMap<>();
    long[] createdAt = new long[Math.max(measured, 1)];
    Watch watch = null;
    try {
      if (!fleet.awaitRegistered(Duration.ofMinutes(5))) {
        throw new IllegalStateException(
            "only " + fleet.registered() + " of " + nodes + " simulated nodes registered");
      }
      if (workload == Workload.SimNodesIdle) {
        Thread.sleep(SimNodeFlags.duration("--hold", hold).toMillis());
      }
      CountDownLatch allBound = new CountDownLatch(measured);
      CountDownLatch initBound =
          new CountDownLatch(workload.initPodsBind() ? workload.initPods(nodes) : 0);
      watch =
          client.pods().inNamespace(namespace).watch(bindingWatcher(boundAt, allBound, initBound));

      createPods(client, workload.initPods(nodes), i -> workload.initPod(namespace, i), null);
      if (!initBound.await(waitLimit.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            initBound.getCount() + " init pods were not bound within " + timeout);
      }
      long start = System.nanoTime();
      createPods(client, measured, i -> workload.measuredPod(namespace, i), createdAt);
      allBound.await(waitLimit.toMillis(), TimeUnit.MILLISECONDS);

      ProcessStats harnessAfter = ProcessStats.self();
      ProcessStats serverAfter = pid == null ? null : ProcessStats.of(pid);
      double[] latencies = new double[boundAt.size()];
      long last = start;
      int n = 0;
      for (Map.Entry<String, Long> e : boundAt.entrySet()) {
        int index = Integer.parseInt(e.getKey().substring(Workload.MEASURED_PREFIX.length()));
        latencies[n++] = (e.getValue() - createdAt[index]) / 1e6;
        last = Math.max(last, e.getValue());
      }
      double seconds = Math.max((last - start) / 1e9, 1e-3);
      return new Result(
          workload,
          nodes,
          measured,
          boundAt.size(),
          Percentiles.of(perSecond(boundAt.values(), start, last)),
          boundAt.size() / seconds,
          Percentiles.of(latencies),
          harnessAfter,
          harnessAfter.cpu().minus(harnessBefore.cpu()),
          serverAfter,
          serverAfter == null ? Duration.ZERO : serverAfter.cpu().minus(serverBefore.cpu()),
          fleet.heartbeatLateness());
    } finally {
      if (watch != null) {
        watch.close();
      }
      fleet.close();
      if (keep) {
        System.out.println("scale-harness: kept namespace " + namespace);
      } else {
        cleanUp(client, namespace, runLabel);
      }
    }
  }

  private static Watcher<Pod> bindingWatcher(
      Map<String, Long> boundAt, CountDownLatch allBound, CountDownLatch initBound) {
    Map<String, Boolean> initSeen = new ConcurrentHashMap<>();
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getNodeName() == null) {
          return;
        }
        String name = pod.getMetadata().getName();
        long now = System.nanoTime();
        if (name.startsWith(Workload.MEASURED_PREFIX)) {
          if (boundAt.putIfAbsent(name, now) == null) {
            allBound.countDown();
          }
        } else if (initSeen.putIfAbsent(name, Boolean.TRUE) == null) {
          initBound.countDown();
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        System.err.println("scale-harness: pod watch closed: " + cause.getMessage());
      }
    };
  }

  /** Pods bound in each whole second from {@code start} on (the last, partial second left out). */
  static double[] perSecond(Iterable<Long> boundAt, long start, long last) {
    int seconds = (int) ((last - start) / 1_000_000_000L);
    if (seconds == 0) {
      int count = 0;
      for (Long ignored : boundAt) {
        count++;
      }
      return new double[] {count / Math.max((last - start) / 1e9, 1e-3)};
    }
    double[] buckets = new double[seconds];
    for (long t : boundAt) {
      int second = (int) ((t - start) / 1_000_000_000L);
      if (second >= 0 && second < seconds) {
        buckets[second]++;
      }
    }
    return buckets;
  }

  private void createPods(
      KubernetesClient client, int count, java.util.function.IntFunction<Pod> pod, long[] createdAt)
      throws InterruptedException {
    if (count == 0) {
      return;
    }
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicInteger failures = new AtomicInteger();
    try (ExecutorService creators = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        int index = i;
        inFlight.acquire();
        creators.execute(
            () -> {
              try {
                if (createdAt != null) {
                  createdAt[index] = System.nanoTime();
                }
                client.resource(pod.apply(index)).create();
              } catch (KubernetesClientException e) {
                if (failures.incrementAndGet() <= 5) {
                  System.err.println("scale-harness: create failed: " + e.getMessage());
                }
              } finally {
                inFlight.release();
              }
            });
      }
    }
    if (failures.get() > 0) {
      System.err.println("scale-harness: " + failures.get() + " of " + count + " creates failed");
    }
  }

  private static void createPriorityClasses(KubernetesClient client) {
    for (var entry : Map.of(Workload.LOW_PRIORITY, 100, Workload.HIGH_PRIORITY, 1000).entrySet()) {
      try {
        client
            .scheduling()
            .v1()
            .priorityClasses()
            .resource(
                new PriorityClassBuilder()
                    .withNewMetadata()
                    .withName(entry.getKey())
                    .endMetadata()
                    .withValue(entry.getValue())
                    .build())
            .create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
      }
    }
  }

  private static void cleanUp(KubernetesClient client, String namespace, String runLabel) {
    try {
      client.pods().inNamespace(namespace).withGracePeriod(0).delete();
      client.namespaces().withName(namespace).delete();
      client.nodes().withLabel("bench.skiff.dev/run", runLabel).delete();
    } catch (KubernetesClientException e) {
      System.err.println("scale-harness: clean-up incomplete: " + e.getMessage());
    }
  }
}
