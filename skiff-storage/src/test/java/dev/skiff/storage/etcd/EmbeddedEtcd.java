package dev.skiff.storage.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-member etcd for tests: Debian's {@code /usr/bin/etcd} (package etcd-server) on free
 * loopback client and peer ports with a temporary data directory, removed on {@link #close()}.
 * {@link #startTls()} serves clients over TLS with client-certificate authentication, from a CA and
 * certificates it makes with {@code openssl}. Starting fails, never skips, when etcd is not
 * installed.
 */
public final class EmbeddedEtcd implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofSeconds(60);

  /** The PEM files of a TLS etcd: its CA, and a client certificate with its PKCS#8 key. */
  public record TlsFiles(Path caFile, Path clientCertFile, Path clientKeyFile) {}

  private final Process process;
  private final Path dataDir;
  private final Path logFile;
  private final int clientPort;
  private final TlsFiles tls;

  private EmbeddedEtcd(Process process, Path dataDir, Path logFile, int clientPort, TlsFiles tls) {
    this.process = process;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.clientPort = clientPort;
    this.tls = tls;
  }

  /** Starts a plain-HTTP etcd and waits until it reports healthy. */
  public static EmbeddedEtcd start() {
    return start(false);
  }

  /**
   * Starts an etcd that serves clients over HTTPS and requires a client certificate signed by its
   * CA; {@link #tls()} names the files a client needs.
   */
  public static EmbeddedEtcd startTls() {
    return start(true);
  }

  private static EmbeddedEtcd start(boolean withTls) {
    Path binary = findBinary();
    try {
      Path dir = Files.createTempDirectory("skiff-etcd");
      Path dataDir = dir.resolve("data");
      Path logFile = dir.resolve("etcd.log");
      int clientPort = freePort();
      int peerPort = freePort();
      String client = (withTls ? "https" : "http") + "://127.0.0.1:" + clientPort;
      String peer = "http://127.0.0.1:" + peerPort;
      List<String> command =
          new ArrayList<>(
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
                  "--log-level=warn"));
      TlsFiles tls = null;
      if (withTls) {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        makeCertificates(pki);
        tls =
            new TlsFiles(
                pki.resolve("ca.crt"), pki.resolve("client.crt"), pki.resolve("client.key"));
        command.addAll(
            List.of(
                "--cert-file=" + pki.resolve("server.crt"),
                "--key-file=" + pki.resolve("server.key"),
                "--trusted-ca-file=" + pki.resolve("ca.crt"),
                "--client-cert-auth"));
      }
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
      EmbeddedEtcd etcd = new EmbeddedEtcd(process, dir, logFile, clientPort, tls);
      try {
        if (withTls) {
          etcd.awaitListening();
        } else {
          etcd.awaitHealthy();
        }
      } catch (RuntimeException e) {
        etcd.close();
        throw e;
      }
      return etcd;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd from " + binary, e);
    }
  }

  /** The client URL, {@code http://127.0.0.1:PORT} (https for a TLS etcd). */
  public URI clientUrl() {
    return URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort);
  }

  /**
   * The endpoint in {@code Stores.open} syntax: {@code etcd://127.0.0.1:PORT}, or {@code
   * https://127.0.0.1:PORT} for a TLS etcd.
   */
  public String endpoint() {
    return tls == null ? "etcd://127.0.0.1:" + clientPort : clientUrl().toString();
  }

  /** The CA and client certificate files of a TLS etcd, or null for a plain one. */
  public TlsFiles tls() {
    return tls;
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

  private void awaitListening() {
    Instant deadline = Instant.now().plus(STARTUP);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "etcd exited with " + process.exitValue() + " while starting: " + logTail());
      }
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), clientPort)) {
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for etcd", e);
        }
      }
    }
    throw new IllegalStateException("etcd did not listen in " + STARTUP + ": " + logTail());
  }

  /** A CA, a server certificate for 127.0.0.1 and a client certificate, EC P-256, via openssl. */
  private static void makeCertificates(Path pki) throws IOException {
    openssl(
        pki,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "2",
        "-subj",
        "/CN=skiff-test-ca");
    Files.writeString(
        pki.resolve("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    Files.writeString(pki.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
    for (String name : List.of("server", "client")) {
      openssl(
          pki,
          "req",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          name + ".key",
          "-out",
          name + ".csr",
          "-subj",
          "/CN=skiff-test-" + name);
      openssl(
          pki,
          "x509",
          "-req",
          "-in",
          name + ".csr",
          "-CA",
          "ca.crt",
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-out",
          name + ".crt",
          "-days",
          "2",
          "-extfile",
          name + ".ext");
    }
  }

  private static void openssl(Path dir, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "openssl " + String.join(" ", args) + " failed: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running openssl", e);
    }
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
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/bin/etcd"));
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      candidates.add(Path.of(dir.isEmpty() ? "." : dir, "etcd"));
    }
    return findBinary(candidates);
  }

  /** The first executable candidate; fails, naming the package to install, when there is none. */
  static Path findBinary(List<Path> candidates) {
    for (Path candidate : candidates) {
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "etcd is not installed (no /usr/bin/etcd and none on PATH): apt-get install etcd-server");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
