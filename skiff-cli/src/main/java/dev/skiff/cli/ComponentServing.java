package dev.skiff.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the component commands that run as API clients (controller-manager, scheduler, dns, proxy)
 * share: the client from {@code --kubeconfig}, the {@code /metrics} and {@code /healthz} endpoint
 * on {@code --bind-address}, and waiting for process shutdown.
 */
final class ComponentServing {
  private ComponentServing() {}

  /** A client for the API server the kubeconfig file names. */
  static KubernetesClient client(Path kubeconfig) throws IOException {
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * A latch released when the JVM begins to shut down (SIGTERM, SIGINT); register it before
   * starting the component and {@code await()} it to run until then.
   */
  static CountDownLatch shutdownLatch() {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
    return stopped;
  }

  /**
   * Serves {@code /metrics} (Prometheus text) and {@code /healthz} ({@code 200 ok} while healthy,
   * else {@code 500 closed}) on {@code host:port}.
   *
   * @return the started server, or {@code null} when the port is 0 (serving disabled)
   */
  static HttpServer serveMetrics(
      String bindAddress, Supplier<String> metricsText, BooleanSupplier healthy)
      throws IOException {
    int colon = bindAddress.lastIndexOf(':');
    int port = Integer.parseInt(bindAddress.substring(colon + 1));
    if (port == 0) {
      return null;
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(bindAddress.substring(0, colon), port), 0);
    server.createContext("/metrics", exchange -> respond(exchange, 200, metricsText.get()));
    server.createContext(
        "/healthz",
        exchange -> {
          boolean ok = healthy.getAsBoolean();
          respond(exchange, ok ? 200 : 500, ok ? "ok" : "closed");
        });
    server.start();
    return server;
  }

  private static void respond(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
