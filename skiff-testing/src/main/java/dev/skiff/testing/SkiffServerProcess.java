package dev.skiff.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code skiff server} as a separate process, the way a user runs it: the fat jar, a data dir, a
 * free loopback port. For end-to-end tests; the jar's path comes from the system property {@code
 * skiff.jar}.
 */
public final class SkiffServerProcess implements AutoCloseable {
  private final Process process;
  private final Path dataDir;
  private final Path log;
  private final Path kubeconfig;
  private final int port;

  private SkiffServerProcess(Process process, Path dataDir, Path log, Path kubeconfig, int port) {
    this.process = process;
    this.dataDir = dataDir;
    this.log = log;
    this.kubeconfig = kubeconfig;
    this.port = port;
  }

  /** Starts a control-plane-only server with the given extra flags and waits until it is ready. */
  public static SkiffServerProcess start(Path dataDir, String... extraFlags) {
    int port = freePort();
    Path kubeconfig = dataDir.resolve("admin.kubeconfig");
    Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    List<String> command = new ArrayList<>(javaCommand());
    command.addAll(
        List.of(
            "server",
            "--data-dir",
            dataDir.toString(),
            "--bind-address",
            "127.0.0.1",
            "--https-port",
            Integer.toString(port),
            "--write-kubeconfig",
            kubeconfig.toString(),
            "--disable-agent"));
    command.addAll(List.of(extraFlags));
    try {
      Files.createDirectories(dataDir);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      SkiffServerProcess server = new SkiffServerProcess(process, dataDir, log, kubeconfig, port);
      server.awaitReady(Duration.ofSeconds(60));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The java binary of this JVM running the jar named by -Dskiff.jar. */
  public static List<String> javaCommand() {
    String jar = System.getProperty("skiff.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "system property skiff.jar must name the built skiff.jar (got " + jar + ")");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    return List.of(
        java,
        "--enable-native-access=ALL-UNNAMED",
        "-XX:+IgnoreUnrecognizedVMOptions",
        "--sun-misc-unsafe-memory-access=allow",
        "-jar",
        jar);
  }

  private void awaitReady(Duration timeout) throws IOException {
    String ready = readyLine();
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (Files.exists(log) && Files.readAllLines(log).contains(ready)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "skiff server exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      sleep(50);
    }
    process.destroyForcibly();
    throw new IllegalStateException("skiff server not ready in " + timeout + ":\n" + output());
  }

  /** The line the server prints when it serves. */
  public String readyLine() {
    return "Skiff API server ready at https://127.0.0.1:"
        + port
        + " (kubeconfig: "
        + kubeconfig
        + ")";
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path dataDir() {
    return dataDir;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Everything the server printed so far. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** Kills the server with SIGKILL (for crash-safety tests). */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** Stops the server with SIGTERM and waits for it. */
  @Override
  public void close() {
    process.destroy();
    if (!waitFor()) {
      process.destroyForcibly();
      waitFor();
    }
  }

  private boolean waitFor() {
    try {
      return process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** A TCP port free on loopback right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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
