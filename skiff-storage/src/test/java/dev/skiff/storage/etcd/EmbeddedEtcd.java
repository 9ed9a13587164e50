package dev.skiff.storage.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-member etcd for tests: Debian's {@code /usr/bin/etcd} (package etcd-server) on free
 * loopback client and peer ports with a temporary data directory, removed on {@link #close()}.
 * Starting fails, never skips, when etcd is not installed.
 */
public final class EmbeddedEtcd implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final Process process;
  private final Path dataDir;
  private final Path logFile;
  private final int clientPort;

  private EmbeddedEtcd(Process process, Path dataDir, Path logFile, int clientPort) {
    this.process = process;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.clientPort = clientPort;
  }

  /** Starts etcd and waits until it reports healthy. */
  public static EmbeddedEtcd start() {
    Path binary = findBinary();
    try {
      Path dir = Files.createTempDirectory("skiff-etcd");
      Path dataDir = dir.resolve("data");
      Path logFile = dir.resolve("etcd.log");
      int clientPort = freePort();
      int peerPort = freePort();
      String client = "http://127.0.0.1:" + clientPort;
      String peer = "http://127.0.0.1:" + peerPort;
      Process process =
          new ProcessBuilder(
                  List.of(
                      binary.toString(),
                      "--name=skiff-test",
                      "--data-dir=" + dataDir,
                      "--listen-client-urls=" + client,
                      "--advertise-client-urls=" + client,
                      "--listen-peer-urls=" + peer,
                      "--initial-advertise-peer-urls=" + peer,
                      "--initial-cluster=skiff-test=" + peer,
                      "--initial-cluster-state=new",
                      "--log-level=warn"))
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
      EmbeddedEtcd etcd = new EmbeddedEtcd(process, dir, logFile, clientPort);
      try {
        etcd.awaitHealthy();
      } catch (RuntimeException e) {
        etcd.close();
        throw e;
      }
      return etcd;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd from " + binary, e);
    }
  }

  /** The client URL, {@code http://127.0.0.1:PORT}. */
  public URI clientUrl() {
    return URI.create("http://127.0.0.1:" + clientPort);
  }

  /** The endpoint in {@code Stores.open} syntax, {@code etcd://127.0.0.1:PORT}. */
  public String endpoint() {
    return "etcd://127.0.0.1:" + clientPort;
  }

  public int clientPort() {
    return clientPort;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dataDir, e);
    }
  }

  private void awaitHealthy() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(clientUrl().resolve("/health"))
            .timeout(Duration.ofSeconds(2))
            .build();
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "etcd exited with " + process.exitValue() + " while starting: " + logTail());
      }
      try {
        HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("true")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for etcd", e);
      }
    }
    throw new IllegalStateException("etcd did not become healthy in " + STARTUP + ": " + logTail());
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static Path findBinary() {
    Path debian = Path.of("/usr/bin/etcd");
    if (Files.isExecutable(debian)) {
      return debian;
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "etcd");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "etcd is not installed (no /usr/bin/etcd and none on PATH): apt-get install etcd-server");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
