package dev.skiff.bench.api;

import dev.skiff.testing.SkiffServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real etcd (Debian's etcd-server) on free loopback ports, for benchmarks on etcd. */
final class EtcdProcess implements AutoCloseable {
  private final Process process;
  private final int clientPort;

  private EtcdProcess(Process process, int clientPort) {
    this.process = process;
    this.clientPort = clientPort;
  }

  static EtcdProcess start(Path dataDir) throws IOException, InterruptedException {
    Path binary = Path.of("/usr/bin/etcd");
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("no /usr/bin/etcd: apt-get install etcd-server");
    }
    int client = SkiffServerProcess.freePort();
    int peer = SkiffServerProcess.freePort();
    Files.createDirectories(dataDir);
    Process process =
        new ProcessBuilder(
                List.of(
                    binary.toString(),
                    "--data-dir",
                    dataDir.toString(),
                    "--listen-client-urls",
                    "http://127.0.0.1:" + client,
                    "--advertise-client-urls",
                    "http://127.0.0.1:" + client,
                    "--listen-peer-urls",
                    "http://127.0.0.1:" + peer,
                    "--initial-advertise-peer-urls",
                    "http://127.0.0.1:" + peer,
                    "--initial-cluster",
                    "default=http://127.0.0.1:" + peer,
                    "--log-level",
                    "error"))
            .redirectErrorStream(true)
            .redirectOutput(dataDir.resolveSibling("etcd.log").toFile())
            .start();
    for (int i = 0; i < 200; i++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", client), 100);
        return new EtcdProcess(process, client);
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException("etcd exited: " + process.exitValue());
        }
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new UncheckedIOException(new IOException("etcd did not listen within 10 s"));
  }

  String endpoint() {
    return "etcd://127.0.0.1:" + clientPort;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
