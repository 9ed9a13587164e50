package dev.skiff.testing.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Network namespaces standing in for machines, for tests that run as root: one bridge namespace and
 * N node namespaces, each node joined to the bridge by a veth pair with the address {@code
 * 172.31.X.N/24} ({@code X} random per run). Nothing is created in the host's namespace and there
 * is no default route, so traffic never leaves the cluster. Daemons are started in a node with
 * {@code nsenter --net=/run/netns/NAME} (unlike {@code ip netns exec} it leaves /sys and the cgroup
 * mounts as they are, which containerd needs).
 *
 * <p>Names are {@code skiff-<run>-br} and {@code skiff-<run>-n<i>} with a random run id, so
 * parallel runs do not collide; each run records its owner (pid and start time) under {@code
 * /run/skiff-netns}, and namespaces of runs whose owner is gone are removed when a new cluster is
 * created. {@link #close()} kills what was started, unmounts everything below {@link #workDir()},
 * and deletes the namespaces (which deletes the veths), also after a failed test.
 */
public final class NetnsCluster implements AutoCloseable {
  private static final Path NETNS_DIR = Path.of("/run/netns");
  private static final Path OWNERS_DIR = Path.of("/run/skiff-netns");
  private static final Pattern NAME = Pattern.compile("skiff-([0-9a-f]{8})-(br|n\\d+)");
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  /** A node namespace: its name, its address on the cluster bridge, and what runs in it. */
  public final class Node {
    private final int index;
    private final String namespace;
    private final String address;

    private Node(int index, String namespace, String address) {
      this.index = index;
      this.namespace = namespace;
      this.address = address;
    }

    /** 1-based position of the node in the cluster. */
    public int index() {
      return index;
    }

    /** The namespace name, e.g. {@code skiff-1a2b3c4d-n1}. */
    public String namespace() {
      return namespace;
    }

    /** {@code /run/netns/NAME}, for {@code nsenter --net=}. */
    public Path netnsPath() {
      return NETNS_DIR.resolve(namespace);
    }

    /** The node's IPv4 address on the cluster bridge (interface {@code eth0}). */
    public String address() {
      return address;
    }

    /** The command line that runs {@code command} inside this node's network namespace. */
    public List<String> wrap(List<String> command) {
      List<String> wrapped = new ArrayList<>(List.of("nsenter", "--net=" + netnsPath(), "--"));
      wrapped.addAll(command);
      return wrapped;
    }

    /**
     * Starts a long-running process in the node; stdout and stderr go to {@link #log(String)}. The
     * cluster stops it on close.
     */
    public Process start(String name, List<String> command) {
      Path log = log(name);
      try {
        Process process =
            new ProcessBuilder(wrap(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        synchronized (processes) {
          processes.add(process);
        }
        return process;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + command + " in " + namespace, e);
      }
    }

    /** The log file of a process started with {@link #start} under {@code name}. */
    public Path log(String name) {
      return workDir.resolve(namespace + "-" + name + ".log");
    }

    /** Runs a command in the node to completion (60 s at most) and returns its output. */
    public ExecResult exec(String... command) {
      return run(wrap(List.of(command)));
    }

    /** Runs a command in the node and throws with its output unless it exits 0. */
    public String execOrThrow(String... command) {
      ExecResult result = exec(command);
      if (!result.succeeded()) {
        throw new IllegalStateException(
            String.join(" ", command)
                + " in "
                + namespace
                + " exited "
                + result.exitCode()
                + ": "
                + result.stderr().strip()
                + result.stdout().strip());
      }
      return result.stdout();
    }

    @Override
    public String toString() {
      return namespace + "(" + address + ")";
    }
  }

  private final String runId;
  private final String bridgeNamespace;
  private final String subnetPrefix;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private final Path workDir;
  private boolean closed;

  private NetnsCluster(String runId, int subnet, Path workDir) {
    this.runId = runId;
    this.bridgeNamespace = "skiff-" + runId + "-br";
    this.subnetPrefix = "172.31." + subnet + ".";
    this.workDir = workDir;
  }

  /**
   * Creates the bridge and {@code nodeCount} node namespaces. Needs root and iproute2; namespaces
   * of earlier runs whose JVM is gone are deleted first.
   */
  public static NetnsCluster create(int nodeCount) {
    if (nodeCount < 1 || nodeCount > 250) {
      throw new IllegalArgumentException("node count must be 1..250, got " + nodeCount);
    }
    removeStale();
    String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    int subnet = 1 + ThreadLocalRandom.current().nextInt(254);
    Path workDir;
    try {
      workDir = Files.createTempDirectory("skiff-netns-" + runId + "-");
      Files.createDirectories(OWNERS_DIR);
      ProcessHandle self = ProcessHandle.current();
      Files.writeString(
          OWNERS_DIR.resolve(runId),
          self.pid() + " " + self.info().startInstant().map(Instant::toString).orElse("-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the namespace cluster", e);
    }
    NetnsCluster cluster = new NetnsCluster(runId, subnet, workDir);
    try {
      cluster.build(nodeCount);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void build(int nodeCount) {
    ip("netns", "add", bridgeNamespace);
    ip("-n", bridgeNamespace, "link", "set", "lo", "up");
    ip("-n", bridgeNamespace, "link", "add", "br0", "type", "bridge");
    ip("-n", bridgeNamespace, "link", "set", "br0", "up");
    for (int i = 1; i <= nodeCount; i++) {
      String namespace = "skiff-" + runId + "-n" + i;
      String address = subnetPrefix + i;
      ip("netns", "add", namespace);
      nodes.add(new Node(i, namespace, address));
      ip(
          "link",
          "add",
          "eth0",
          "netns",
          namespace,
          "type",
          "veth",
          "peer",
          "name",
          "veth" + i,
          "netns",
          bridgeNamespace);
      ip("-n", bridgeNamespace, "link", "set", "veth" + i, "master", "br0", "up");
      ip("-n", namespace, "link", "set", "lo", "up");
      ip("-n", namespace, "addr", "add", address + "/24", "dev", "eth0");
      ip("-n", namespace, "link", "set", "eth0", "up");
    }
  }

  /** The nodes, in order. */
  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  /** The node at a 1-based index. */
  public Node node(int index) {
    return nodes.get(index - 1);
  }

  public String bridgeNamespace() {
    return bridgeNamespace;
  }

  /** The random part of every name of this run. */
  public String runId() {
    return runId;
  }

  /**
   * A directory for the run's state (daemon roots, sockets, logs); whatever is mounted below it is
   * unmounted on close and the directory deleted.
   */
  public Path workDir() {
    return workDir;
  }

  /** Stops processes, unmounts below the work dir, deletes namespaces; safe to call twice. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Process> started;
    synchronized (processes) {
      started = List.copyOf(processes);
    }
    for (Process process : started) {
      stop(process);
    }
    List<String> namespaces = new ArrayList<>();
    nodes.forEach(node -> namespaces.add(node.namespace()));
    namespaces.add(bridgeNamespace);
    for (String namespace : namespaces) {
      killNamespacePids(namespace);
    }
    unmountBelow(workDir);
    for (String namespace : namespaces) {
      if (Files.exists(NETNS_DIR.resolve(namespace))) {
        runQuietly(List.of("ip", "netns", "delete", namespace));
      }
    }
    deleteRecursively(workDir);
    try {
      Files.deleteIfExists(OWNERS_DIR.resolve(runId));
    } catch (IOException e) {
      // the owner file of a dead run is ignored by the next stale sweep's liveness check
    }
  }

  private static void stop(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * SIGKILLs every process still in the namespace and their descendants: containerd's shims live in
   * the node's namespace, the containers they started may have network namespaces of their own.
   */
  private static void killNamespacePids(String namespace) {
    if (!Files.exists(NETNS_DIR.resolve(namespace))) {
      return;
    }
    ExecResult pids = runQuietly(List.of("ip", "netns", "pids", namespace));
    pids.stdout()
        .lines()
        .map(String::strip)
        .filter(line -> line.matches("\\d+"))
        .map(Long::parseLong)
        .map(ProcessHandle::of)
        .flatMap(Optional::stream)
        .forEach(
            process -> {
              process.descendants().forEach(ProcessHandle::destroyForcibly);
              process.destroyForcibly();
            });
  }

  /** Lazily unmounts every mount point at or below {@code dir}, deepest first. */
  static void unmountBelow(Path dir) {
    List<String> mounts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] fields = line.split(" ");
        if (fields.length > 4) {
          String mountPoint = unescape(fields[4]);
          if (mountPoint.equals(dir.toString()) || mountPoint.startsWith(dir + "/")) {
            mounts.add(mountPoint);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mounts.sort(Comparator.comparing(String::length).reversed());
    for (String mount : mounts) {
      runQuietly(List.of("umount", "-l", mount));
    }
  }

  private static String unescape(String mountinfoField) {
    Matcher octal = Pattern.compile("\\\\([0-7]{3})").matcher(mountinfoField);
    StringBuilder out = new StringBuilder();
    while (octal.find()) {
      octal.appendReplacement(
          out,
          Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(octal.group(1), 8))));
    }
    octal.appendTail(out);
    return out.toString();
  }

  /**
   * Deletes the namespaces of runs whose owner JVM is gone (after an aborted run), killing what
   * still runs in them. Namespaces of live runs, and skiff-* names this class did not create, are
   * left alone.
   */
  static void removeStale() {
    if (!Files.isDirectory(NETNS_DIR)) {
      return;
    }
    List<String> names;
    try (Stream<Path> files = Files.list(NETNS_DIR)) {
      names = files.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      return;
    }
    for (String name : names) {
      Matcher matcher = NAME.matcher(name);
      if (matcher.matches() && !ownerAlive(matcher.group(1))) {
        killNamespacePids(name);
        runQuietly(List.of("ip", "netns", "delete", name));
      }
    }
    try (Stream<Path> owners = Files.list(OWNERS_DIR)) {
      for (Path owner : owners.toList()) {
        if (!ownerAlive(owner.getFileName().toString())) {
          Files.deleteIfExists(owner);
        }
      }
    } catch (IOException e) {
      // no owners directory yet
    }
  }

  private static boolean ownerAlive(String runId) {
    Path owner = OWNERS_DIR.resolve(runId);
    String[] fields;
    try {
      fields = Files.readString(owner).strip().split(" ");
    } catch (IOException e) {
      return false;
    }
    try {
      Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(fields[0]));
      return handle.isPresent()
          && handle
              .get()
              .info()
              .startInstant()
              .map(Instant::toString)
              .orElse("-")
              .equals(fields.length > 1 ? fields[1] : "-");
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static void ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    ExecResult result = run(command);
    if (!result.succeeded()) {
      throw new IllegalStateException(
          String.join(" ", command) + " failed: " + result.stderr().strip());
    }
  }

  private static ExecResult runQuietly(List<String> command) {
    try {
      return run(command);
    } catch (RuntimeException e) {
      return new ExecResult(-1, "", String.valueOf(e.getMessage()));
    }
  }

  /** Runs a command to completion, capturing stdout and stderr. */
  static ExecResult run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).start();
      process.getOutputStream().close();
      CompletableFuture<String> stdout = drain(process.getInputStream());
      CompletableFuture<String> stderr = drain(process.getErrorStream());
      if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(command + " did not finish within " + COMMAND_TIMEOUT);
      }
      return new ExecResult(process.exitValue(), stdout.join(), stderr.join());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (in) {
                text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                text.complete("");
              }
            });
    return text;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a busy file left behind in the temp dir is not worth failing the test for
    }
  }
}
