package dev.skiff.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.StreamSink;
import dev.skiff.apiserver.pki.ClusterPki;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerLifecycleTest {
  @TempDir Path dataDir;

  @Test
  void closeEndsOpenStreamsAndFreesThePort() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dataDir, List.of());
    BlockingQueue<StreamSink> streams = new LinkedBlockingQueue<>();
    AtomicInteger closed = new AtomicInteger();
    ApiServer server =
        new ApiServer(
            new ApiServerOptions("127.0.0.1", 0),
            ServerTls.fromPki(pki),
            request ->
                new ApiResponse.Stream(
                    200,
                    "application/json",
                    Map.of(),
                    sink -> {
                      sink.onClose(closed::incrementAndGet);
                      streams.add(sink);
                    }),
            new HealthChecks());
    server.start();
    int port = server.port();
    assertThat(port).isPositive();

    try (HttpClient client = EndToEndClients.client(pki, HttpClient.Version.HTTP_2, true)) {
      HttpResponse<InputStream> response =
          client.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/watch")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      StreamSink sink = streams.poll(10, TimeUnit.SECONDS);
      assertThat(sink).isNotNull();

      server.close();

      await().atMost(Duration.ofSeconds(10)).until(() -> closed.get() == 1);
      assertThat(sink.isClosed()).isTrue();
      sink.send("after close".getBytes(StandardCharsets.UTF_8));
    }

    ApiServer again =
        new ApiServer(
            new ApiServerOptions("127.0.0.1", port),
            ServerTls.fromPki(pki),
            request -> new ApiResponse.Full(200, "text/plain", new byte[0]),
            new HealthChecks());
    again.start();
    assertThat(again.port()).isEqualTo(port);
    again.close();
  }
}
