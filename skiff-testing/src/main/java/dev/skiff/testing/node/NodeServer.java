package dev.skiff.testing.node;

import dev.skiff.testing.Kubectl;
import dev.skiff.testing.SkiffServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code skiff server} with its local agent (containerd, kubelet, pod network, kube-proxy, DNS)
 * running from the fat jar inside a {@link NetnsCluster} node, the way a user runs a one-node
 * cluster. Image archives are copied into {@code <data-dir>/agent/images/} before the server
 * starts, so the agent imports them and pods run them without a registry.
 *
 * <p>{@link #kubectl()} runs the real kubectl inside the node's namespace (the API listens on the
 * node address only). {@link #close()} deletes the pods (so their containers stop through the
 * kubelet), stops the server and kills any container task containerd still has.
 */
public final class NodeServer implements AutoCloseable {
  private static final String LOG_NAME = "skiff-server";

  private final NetnsCluster.Node node;
  private final Path dataDir;
  private final String nodeName;
  private final Process process;
  private final Kubectl kubectl;

  private NodeServer(
      NetnsCluster.Node node, Path dataDir, String nodeName, Process process, Kubectl kubectl) {
    this.node = node;
    this.dataDir = dataDir;
    this.nodeName = nodeName;
    this.process = process;
    this.kubectl = kubectl;
  }

  /**
   * Starts {@code skiff server --bind-address <node address>} in {@code node} with {@code dataDir}
   * (best below {@link NetnsCluster#workDir()}, which is unmounted on close), imports {@code
   * images}, and waits until the API serves, the node is Ready and the default ServiceAccount
   * exists.
   */
  public static NodeServer start(
      NetnsCluster.Node node, Path dataDir, String nodeName, List<Path> images) {
    Path kubeconfig = dataDir.resolve("admin.kubeconfig");
    try {
      Path imageDir = Files.createDirectories(dataDir.resolve("agent").resolve("images"));
      for (Path image : images) {
        Files.copy(
            image, imageDir.resolve(image.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + dataDir, e);
    }
    List<String> command = new ArrayList<>(SkiffServerProcess.javaCommand());
    command.addAll(
        List.of(
            "server",
            "--data-dir",
            dataDir.toString(),
            "--bind-address",
            node.address(),
            "--write-kubeconfig",
            kubeconfig.toString(),
            "--node-name",
            nodeName,
            "--node-ip",
            node.address()));
    Process process = node.start(LOG_NAME, command);
    Kubectl kubectl = new Kubectl(kubeconfig, wrapper(node, dataDir).toString());
    NodeServer server = new NodeServer(node, dataDir, nodeName, process, kubectl);
    try {
      server.awaitLogLine(
          "Skiff API server ready at https://" + node.address() + ":6443", Duration.ofSeconds(90));
      server.await(
          "node " + nodeName + " Ready",
          Duration.ofSeconds(120),
          () ->
              kubectl
                  .run(
                      "get",
                      "node",
                      nodeName,
                      "-o",
                      "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
                  .stdout()
                  .equals("True"));
      server.await(
          "ServiceAccount default/default",
          Duration.ofSeconds(60),
          () -> kubectl.run("get", "serviceaccount", "default").exitCode() == 0);
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** A script running kubectl inside the node's network namespace. */
  private static Path wrapper(NetnsCluster.Node node, Path dataDir) {
    Path script = dataDir.resolve("kubectl-in-" + node.namespace());
    try {
      Files.writeString(
          script,
          "#!/bin/sh\nexec nsenter --net="
              + node.netnsPath()
              + " -- "
              + System.getenv().getOrDefault("SKIFF_KUBECTL", "kubectl")
              + " \"$@\"\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The command line of kubectl run inside the node's namespace with the admin kubeconfig, for
   * long-running commands (port-forward) a test starts itself.
   */
  public List<String> kubectlCommand(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                dataDir.resolve("kubectl-in-" + node.namespace()).toString(),
                "--kubeconfig=" + dataDir.resolve("admin.kubeconfig")));
    command.addAll(List.of(args));
    return command;
  }

  /** The real kubectl, run inside the node's namespace with the admin kubeconfig. */
  public Kubectl kubectl() {
    return kubectl;
  }

  public NetnsCluster.Node node() {
    return node;
  }

  public String nodeName() {
    return nodeName;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** containerd's socket, for {@code ctr} / {@code crictl} in the node's namespace. */
  public Path containerdSocket() {
    return dataDir.resolve("agent").resolve("containerd").resolve("containerd.sock");
  }

  /** Everything the server (control plane and agent) printed so far. */
  public String output() {
    try {
      return Files.readString(node.log(LOG_NAME));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private void awaitLogLine(String prefix, Duration timeout) {
    await(
        "'" + prefix + "' in the server log",
        timeout,
        () -> output().lines().anyMatch(line -> line.startsWith(prefix)));
  }

  private void await(String what, Duration timeout, java.util.function.BooleanSupplier done) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (done.getAsBoolean()) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "skiff server exited with " + process.exitValue() + ":\n" + output());
      }
      sleep(200);
    }
    throw new IllegalStateException("no " + what + " within " + timeout + ":\n" + output());
  }

  /**
   * Deletes every pod (waiting a little for the kubelet to stop them), stops the server with
   * SIGTERM, and SIGKILLs container tasks containerd still knows.
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      kubectl.run(
          "delete", "pods", "--all", "--all-namespaces", "--grace-period=1", "--timeout=30s");
    }
    killContainerTasks();
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private void killContainerTasks() {
    if (!Files.exists(containerdSocket())) {
      return;
    }
    ExecResult tasks =
        node.exec("ctr", "--address", containerdSocket().toString(), "-n", "k8s.io", "tasks", "ls");
    for (String line : tasks.stdout().lines().skip(1).toList()) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length >= 2 && fields[1].matches("\\d+")) {
        ProcessHandle.of(Long.parseLong(fields[1])).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
