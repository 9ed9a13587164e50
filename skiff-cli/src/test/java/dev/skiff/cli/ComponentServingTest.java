package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ComponentServingTest {

  @Test
  void portZeroDisablesServing() throws Exception {
    assertThat(ComponentServing.serveMetrics("127.0.0.1:0", () -> "", () -> true)).isNull();
  }

  @Test
  void servesMetricsAndHealthz() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    AtomicBoolean healthy = new AtomicBoolean(true);
    HttpServer server =
        ComponentServing.serveMetrics("127.0.0.1:" + port, () -> "skiff_up 1\n", healthy::get);
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> metrics = get(http, port, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).isEqualTo("skiff_up 1\n");
      assertThat(metrics.headers().firstValue("Content-Type"))
          .contains("text/plain; version=0.0.4; charset=utf-8");
      HttpResponse<String> ok = get(http, port, "/healthz");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("ok");
      healthy.set(false);
      HttpResponse<String> closed = get(http, port, "/healthz");
      assertThat(closed.statusCode()).isEqualTo(500);
      assertThat(closed.body()).isEqualTo("closed");
    } finally {
      server.stop(0);
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
