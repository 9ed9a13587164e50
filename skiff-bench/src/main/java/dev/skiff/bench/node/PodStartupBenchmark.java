package dev.skiff.bench.node;

import dev.skiff.bench.BenchmarkReport;
import dev.skiff.testing.SkiffServerProcess;
import dev.skiff.testing.node.NetnsCluster;
import dev.skiff.testing.node.TestImages;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Pod start-up latency and agent memory on a real node (issue 7's benchmark).
 *
 * <p>Creates a {@link NetnsCluster} of two node namespaces; {@code skiff server --disable-agent}
 * and {@code skiff sim-nodes --count 1} run in the first, {@code skiff agent} (its own containerd,
 * the busybox archive pre-placed in its images dir) in the second, each its own process. The
 * measuring client then runs as a child JVM in the first namespace (the API server is reachable
 * only there) and: waits for both nodes Ready, reads the agent's VmRSS after a settle time, creates
 * N busybox {@code sleep 3600} pods pinned to the simulated node (baseline: control plane only) and
 * then N pinned to the agent's node, each time recording create → Running as seen through a watch
 * and delete → gone, and the agent's VmRSS with the N pods running. The result is written as the
 * {@code pod-startup} section of docs/benchmarks.md.
 *
 * <pre>skiff-bench/run dev.skiff.bench.node.PodStartupBenchmark --pods 100 [--settle-seconds 30]
 * </pre>
 *
 * Needs root, iproute2, containerd, runc and the CNI plugins.
 */
public final class PodStartupBenchmark {
  static final String SECTION = "pod-startup";
  private static final String AGENT_NODE = "bench-agent";
  private static final String SIM_PREFIX = "bench-sim-";
  private static final String SIM_NODE = SIM_PREFIX + "0";
  private static final String NAMESPACE = "default";
  private static final int API_PORT = 6443;
  private static final int CREATE_CONCURRENCY = 16;
  private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);

  private PodStartupBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags = flags(args);
    int pods = Integer.parseInt(flags.getOrDefault("--pods", "100"));
    int settle = Integer.parseInt(flags.getOrDefault("--settle-seconds", "30"));
    if (flags.containsKey("--client")) {
      int code =
          new Client(
                  Path.of(flags.get("--kubeconfig")),
                  Long.parseLong(flags.get("--agent-pid")),
                  pods,
                  settle,
                  Path.of(flags.get("--docs")),
                  flags.get("--command"))
              .run();
      System.exit(code);
    }
    String command =
        "skiff-bench/run dev.skiff.bench.node.PodStartupBenchmark " + String.join(" ", args);
    System.exit(orchestrate(pods, settle, command.strip()));
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i]);
      }
      if (args[i].equals("--client")) {
        flags.put("--client", "");
      } else if (i + 1 < args.length) {
        flags.put(args[i], args[++i]);
      } else {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
    }
    return flags;
  }

  /** Sets up the namespaces and processes, runs the client, and tears everything down. */
  static int orchestrate(int pods, int settle, String command) throws Exception {
    NetnsCluster cluster = NetnsCluster.create(2);
    Thread cleanup = new Thread(cluster::close, "pod-startup-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    Process client = null;
    NetnsCluster.Node serverNode = cluster.node(1);
    NetnsCluster.Node agentNode = cluster.node(2);
    try {
      Path serverDir = cluster.workDir().resolve("server");
      Path kubeconfig = serverDir.resolve("admin.kubeconfig");
      Files.createDirectories(serverDir);
      List<String> server = new ArrayList<>(SkiffServerProcess.javaCommand());
      server.addAll(
          List.of(
              "server",
              "--data-dir",
              serverDir.toString(),
              "--bind-address",
              serverNode.address(),
              "--https-port",
              Integer.toString(API_PORT),
              "--write-kubeconfig",
              kubeconfig.toString(),
              "--disable-agent"));
      Process serverProcess = serverNode.start("server", server);
      String url = "https://" + serverNode.address() + ":" + API_PORT;
      awaitLine(serverNode.log("server"), "Skiff API server ready at " + url, serverProcess);
      System.err.println("pod-startup: server ready at " + url);

      Path agentDir = cluster.workDir().resolve("agent");
      Path images = agentDir.resolve("agent").resolve("images");
      Files.createDirectories(images);
      Files.copy(
          TestImages.busybox(), images.resolve("busybox.tar"), StandardCopyOption.REPLACE_EXISTING);
      List<String> agent = new ArrayList<>(SkiffServerProcess.javaCommand());
      agent.addAll(
          List.of(
              "agent",
              "--server",
              url,
              "--token-file",
              serverDir.resolve("token").toString(),
              "--data-dir",
              agentDir.toString(),
              "--node-name",
              AGENT_NODE,
              "--node-ip",
              agentNode.address()));
      Process agentProcess = agentNode.start("agent", agent);

      List<String> sim = new ArrayList<>(SkiffServerProcess.javaCommand());
      sim.addAll(
          List.of(
              "sim-nodes",
              "--kubeconfig",
              kubeconfig.toString(),
              "--count",
              "1",
              "--name-prefix",
              SIM_PREFIX));
      serverNode.start("sim-nodes", sim);

      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> clientCommand =
          new ArrayList<>(
              List.of(
                  java,
                  "--enable-native-access=ALL-UNNAMED",
                  "-XX:+IgnoreUnrecognizedVMOptions",
                  "--sun-misc-unsafe-memory-access=allow",
                  "-cp",
                  System.getProperty("java.class.path"),
                  PodStartupBenchmark.class.getName(),
                  "--client",
                  "--pods",
                  Integer.toString(pods),
                  "--settle-seconds",
                  Integer.toString(settle),
                  "--kubeconfig",
                  kubeconfig.toString(),
                  "--agent-pid",
                  Long.toString(agentProcess.pid()),
                  "--docs",
                  BenchmarkReport.defaultFile().toString(),
                  "--command",
                  command));
      client = new ProcessBuilder(serverNode.wrap(clientCommand)).inheritIO().start();
      int code = client.waitFor();
      if (code != 0) {
        System.err.println("pod-startup: client failed with exit code " + code);
        printTail(agentNode.log("agent"), "agent");
        printTail(serverNode.log("server"), "server");
      }
      return code;
    } finally {
      if (client != null && client.isAlive()) {
        client.destroyForcibly();
        client.waitFor(10, TimeUnit.SECONDS);
      }
      cluster.close();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException e) {
        // shutting down already: the hook runs close() again, which is a no-op
      }
    }
  }

  private static void awaitLine(Path log, String prefix, Process process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log)
          && Files.readAllLines(log).stream().anyMatch(l -> l.startsWith(prefix))) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException("process exited:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no '" + prefix + "' in " + log + " within 120 s");
  }

  private static void printTail(Path log, String name) {
    try {
      List<String> lines = Files.readAllLines(log);
      System.err.println("---- last lines of " + name + " log ----");
      lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.err::println);
    } catch (IOException e) {
      System.err.println("(no " + name + " log: " + e.getMessage() + ")");
    }
  }

  /** Results of one target: pods Running, create → Running and delete → gone. */
  record Phase(
      String target,
      int pods,
      NodeBenchMath.Summary startup,
      NodeBenchMath.Summary deletion,
      double createSeconds) {}

  /** The measuring side, run inside the server's namespace. */
  static final class Client {
    private final Path kubeconfig;
    private final long agentPid;
    private final int pods;
    private final int settle;
    private final Path docs;
    private final String command;

    Client(Path kubeconfig, long agentPid, int pods, int settle, Path docs, String command) {
      this.kubeconfig = kubeconfig;
      this.agentPid = agentPid;
      this.pods = pods;
      this.settle = settle;
      this.docs = docs;
      this.command = command;
    }

    int run() throws Exception {
      double loadStart = loadAverage();
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
      config.setRequestTimeout(60_000);
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        long readyStart = System.nanoTime();
        awaitReady(client, AGENT_NODE);
        awaitReady(client, SIM_NODE);
        double readySeconds = (System.nanoTime() - readyStart) / 1e9;
        log("nodes Ready after %.1f s; settling %d s", readySeconds, settle);
        Thread.sleep(settle * 1000L);
        long rssIdle = rssKilobytes();
        log("agent RSS idle: %d MB", rssIdle / 1024);

        Phase warmup = measure(client, "warmup", SIM_NODE, pods, null);
        log("warm-up on the simulated node: p50 %.0f ms", warmup.startup().p50());
        Phase simulatedAlone = measure(client, "alone-simulated", SIM_NODE, 1, null);
        Phase realAlone = measure(client, "alone-real", AGENT_NODE, 1, null);
        Phase simulated = measure(client, "simulated", SIM_NODE, pods, null);
        long[] rssRunning = new long[1];
        Phase real = measure(client, "real", AGENT_NODE, pods, rssRunning);
        Thread.sleep(5000);
        long rssAfter = rssKilobytes();
        double loadEnd = loadAverage();
        String body =
            report(
                readySeconds,
                rssIdle,
                rssRunning[0],
                rssAfter,
                List.of(simulatedAlone, realAlone, simulated, real),
                loadStart,
                loadEnd);
        BenchmarkReport.writeSection(docs, SECTION, body);
        System.out.println(body);
        log("section %s written to %s", SECTION, docs);
        return real.startup().count() == pods && simulated.startup().count() == pods ? 0 : 2;
      }
    }

    private Phase measure(
        KubernetesClient client, String target, String node, int pods, long[] rssRunning)
        throws Exception {
      Map<String, Long> created = new ConcurrentHashMap<>();
      Map<String, Long> running = new ConcurrentHashMap<>();
      Map<String, Long> deleteStarted = new ConcurrentHashMap<>();
      Map<String, Long> gone = new ConcurrentHashMap<>();
      Watch watch =
          client
              .pods()
              .inNamespace(NAMESPACE)
              .withLabel("pod-startup", target)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Pod pod) {
                      long now = System.nanoTime();
                      String name = pod.getMetadata().getName();
                      if (action == Action.DELETED) {
                        gone.putIfAbsent(name, now);
                      } else if (pod.getStatus() != null
                          && "Running".equals(pod.getStatus().getPhase())) {
                        running.putIfAbsent(name, now);
                      }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                      if (cause != null) {
                        log("watch closed: %s", cause.getMessage());
                      }
                    }
                  });
      try (watch;
          ExecutorService pool = Executors.newFixedThreadPool(CREATE_CONCURRENCY)) {
        List<Future<?>> creates = new ArrayList<>();
        long createStart = System.nanoTime();
        for (int i = 0; i < pods; i++) {
          String name = String.format(Locale.ROOT, "%s-%03d", target, i);
          Pod pod = pod(name, target, node);
          creates.add(
              pool.submit(
                  () -> {
                    created.put(name, System.nanoTime());
                    client.pods().inNamespace(NAMESPACE).resource(pod).create();
                  }));
        }
        for (Future<?> f : creates) {
          f.get();
        }
        double createSeconds = (System.nanoTime() - createStart) / 1e9;
        boolean all = awaitCount(running, pods);
        log("%s: %d of %d pods Running", target, running.size(), pods);
        if (!all) {
          log("%s: not Running: %s", target, notIn(created, running));
        }
        if (rssRunning != null) {
          Thread.sleep(Math.min(settle, 10) * 1000L);
          rssRunning[0] = rssKilobytes();
          log("agent RSS with %d pods: %d MB", running.size(), rssRunning[0] / 1024);
        }
        List<Future<?>> deletes = new ArrayList<>();
        for (String name : created.keySet()) {
          deletes.add(
              pool.submit(
                  () -> {
                    deleteStarted.put(name, System.nanoTime());
                    client.pods().inNamespace(NAMESPACE).withName(name).delete();
                  }));
        }
        for (Future<?> f : deletes) {
          f.get();
        }
        awaitCount(gone, pods);
        log("%s: %d of %d pods gone", target, gone.size(), pods);
        return new Phase(
            target,
            pods,
            NodeBenchMath.summarize(between(created, running)),
            NodeBenchMath.summarize(between(deleteStarted, gone)),
            createSeconds);
      }
    }

    private static Pod pod(String name, String target, String node) {
      return new PodBuilder()
          .withNewMetadata()
          .withName(name)
          .withLabels(Map.of("pod-startup", target))
          .endMetadata()
          .withNewSpec()
          .withNodeSelector(Map.of("kubernetes.io/hostname", node))
          .withTerminationGracePeriodSeconds(2L)
          .addNewContainer()
          .withName("sleep")
          .withImage(TestImages.BUSYBOX)
          .withImagePullPolicy("IfNotPresent")
          .withCommand("sleep", "3600")
          .endContainer()
          .endSpec()
          .build();
    }

    private static List<Long> between(Map<String, Long> from, Map<String, Long> to) {
      List<Long> durations = new ArrayList<>();
      to.forEach(
          (name, end) -> {
            Long start = from.get(name);
            if (start != null) {
              durations.add(end - start);
            }
          });
      return durations;
    }

    private static List<String> notIn(Map<String, Long> all, Map<String, Long> done) {
      return all.keySet().stream().filter(n -> !done.containsKey(n)).sorted().limit(10).toList();
    }

    private static boolean awaitCount(Map<String, Long> seen, int expected)
        throws InterruptedException {
      long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
      while (seen.size() < expected && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      return seen.size() >= expected;
    }

    private void awaitReady(KubernetesClient client, String name) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      String last = "not registered";
      while (System.nanoTime() < deadline) {
        if (!ProcessHandle.of(agentPid).map(ProcessHandle::isAlive).orElse(false)) {
          throw new IllegalStateException("the agent process " + agentPid + " exited");
        }
        try {
          Node node = client.nodes().withName(name).get();
          if (node != null && node.getStatus() != null) {
            for (NodeCondition c : node.getStatus().getConditions()) {
              if ("Ready".equals(c.getType())) {
                if ("True".equals(c.getStatus())) {
                  return;
                }
                last = c.getReason() + ": " + c.getMessage();
              }
            }
          }
        } catch (RuntimeException e) {
          last = e.toString();
        }
        Thread.sleep(500);
      }
      throw new IllegalStateException("node " + name + " not Ready within 4 min (" + last + ")");
    }

    private long rssKilobytes() {
      try {
        return NodeBenchMath.vmRssKilobytes(
            Files.readString(Path.of("/proc/" + agentPid + "/status")));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the agent's /proc status", e);
      }
    }

    private String report(
        double readySeconds,
        long rssIdle,
        long rssRunning,
        long rssAfter,
        List<Phase> phases,
        double loadStart,
        double loadEnd) {
      Phase simulatedAlone = phases.get(0);
      Phase realAlone = phases.get(1);
      Phase simulated = phases.get(2);
      Phase real = phases.get(3);
      StringBuilder out = new StringBuilder();
      out.append("## Pod start-up on a real node, agent memory (issue 7)\n\n");
      out.append("Command: `").append(command).append("` (as root)\n\n");
      out.append(
          String.format(
              Locale.ROOT,
              "Measured %s on %s: %d cores, %d MB RAM, Linux %s, Java %s. The machine is shared"
                  + " with other builds: 1-minute load average %.1f when the run started, %.1f"
                  + " when it ended.\n\n",
              LocalDate.now(),
              cpuModel(),
              Runtime.getRuntime().availableProcessors(),
              memTotalMb(),
              System.getProperty("os.version"),
              Runtime.version().feature(),
              loadStart,
              loadEnd));
      out.append(
          "Setup: two network namespaces (NetnsCluster). `skiff server --disable-agent`"
              + " (sqlite datastore, scheduler and controllers) and `skiff sim-nodes --count 1`"
              + " run in the first, `skiff agent` (kubelet with its own containerd, kube-proxy,"
              + " DNS; default JVM options, so the heap may grow to a quarter of RAM) in the second, each its own process. The busybox"
              + " archive was in the agent's images dir, so no pull happens. The measuring"
              + " client runs in the server's namespace. Each pod: busybox `sleep 3600`,"
              + " imagePullPolicy IfNotPresent, nodeSelector kubernetes.io/hostname on the"
              + " target node (so the scheduler is in the path), no resource requests,"
              + " terminationGracePeriodSeconds 2 (`sleep` as PID 1 ignores SIGTERM, so"
              + " deletion waits for the grace period). "
              + String.format(
                  Locale.ROOT,
                  "%d pods created by %d concurrent clients as fast as the API allows (before"
                      + " that, one pod alone on each node, to tell per-pod cost from queueing);"
                      + " latency"
                      + " runs from the create request being sent to the pod's phase Running"
                      + " seen through a watch, and from the delete request to the watch's"
                      + " DELETED event. The baseline is the same pods on a simulated node"
                      + " (pods go Running by rule, no containers) in the same run, measured"
                      + " just before the real node; before both, one unmeasured warm-up round"
                      + " of the same pods on the simulated node warms up the server's JIT.\n\n",
                  pods,
                  CREATE_CONCURRENCY));
      out.append(
          "| target | pods Running | creates took | create → Running p50 | p99 | max"
              + " | delete → gone p50 | p99 | max |\n");
      out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Phase phase : phases) {
        out.append(
            String.format(
                Locale.ROOT,
                "| %s | %d of %d | %.1f s | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms |"
                    + " %.0f ms |\n",
                (phase.target().endsWith("real")
                        ? "real node (skiff agent, containerd)"
                        : "baseline: simulated node")
                    + (phase.pods() == 1 ? ", 1 pod alone" : ""),
                phase.startup().count(),
                phase.pods(),
                phase.createSeconds(),
                phase.startup().p50(),
                phase.startup().p99(),
                phase.startup().max(),
                phase.deletion().p50(),
                phase.deletion().p99(),
                phase.deletion().max()));
      }
      out.append(
          String.format(
              Locale.ROOT,
              "\nReal / simulated, create → Running, %d pods: p50 %.2f, p99 %.2f; 1 pod alone:"
                  + " %.2f.\n\n",
              pods,
              NodeBenchMath.ratio(real.startup().p50(), simulated.startup().p50()),
              NodeBenchMath.ratio(real.startup().p99(), simulated.startup().p99()),
              NodeBenchMath.ratio(realAlone.startup().p50(), simulatedAlone.startup().p50())));
      out.append(
          String.format(
              Locale.ROOT,
              "Agent process RSS (VmRSS of the `skiff agent` JVM; containerd, shims and"
                  + " containers are separate processes and not included): idle %d MB (%d s"
                  + " after both nodes were Ready, which took %.0f s from the client's start),"
                  + " with %d pods running %d MB, after they were deleted %d MB.\n\n",
              rssIdle / 1024,
              settle,
              readySeconds,
              real.startup().count(),
              rssRunning / 1024,
              rssAfter / 1024));
      boolean allRunning = real.startup().count() == real.pods();
      boolean p99Met = allRunning && real.startup().p99() < 1000;
      boolean rssMet = rssIdle > 0 && rssIdle / 1024.0 < 150;
      out.append("Targets (issue 7):\n\n");
      out.append(
          String.format(
              Locale.ROOT,
              "- pod start-up p99 < 1 s (Kubernetes' SLO: 5 s): **%s** (p99 %.0f ms%s).\n",
              p99Met ? "met" : "not met",
              real.startup().p99(),
              allRunning ? "" : "; not every pod reached Running"));
      out.append(
          String.format(
              Locale.ROOT,
              "- agent < 150 MB RSS idle: **%s** (%d MB).\n",
              rssMet ? "met" : "not met",
              rssIdle / 1024));
      return out.toString();
    }

    private static String cpuModel() {
      try {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("model name"))
            .map(l -> l.substring(l.indexOf(':') + 1).strip())
            .findFirst()
            .orElse("unknown CPU");
      } catch (IOException e) {
        return "unknown CPU";
      }
    }

    private static long memTotalMb() {
      try {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream()
            .filter(l -> l.startsWith("MemTotal:"))
            .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024)
            .findFirst()
            .orElse(0);
      } catch (IOException e) {
        return 0;
      }
    }

    private static double loadAverage() {
      try {
        return NodeBenchMath.loadAverage1(Files.readString(Path.of("/proc/loadavg")));
      } catch (IOException e) {
        return Double.NaN;
      }
    }
  }

  private static void log(String format, Object... args) {
    System.err.println("pod-startup: " + String.format(Locale.ROOT, format, args));
  }
}
