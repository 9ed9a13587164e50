package dev.skiff.apiserver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.StreamSink;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.IssuedCertificate;
import dev.skiff.apiserver.pki.KubeconfigWriter;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The server over real TLS with the JDK HttpClient, fabric8 and kubectl as clients. */
class ApiServerEndToEndTest {
  @TempDir static Path dataDir;

  private static ClusterPki pki;
  private static ApiServer server;
  private static final BlockingQueue<StreamSink> streams = new LinkedBlockingQueue<>();
  private static final AtomicInteger closedStreams = new AtomicInteger();

  @BeforeAll
  static void start() {
    pki = ClusterPki.loadOrCreate(dataDir, List.of());
    server =
        new ApiServer(
            new ApiServerOptions("127.0.0.1", 0),
            ServerTls.fromPki(pki),
            ApiServerEndToEndTest::handle,
            new HealthChecks());
    server.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The fake API handler: /whoami echoes the caller, /stream hands its sink to the test. */
  private static ApiResponse handle(ApiRequest request) {
    switch (request.path()) {
      case "/whoami" -> {
        ObjectNode who = Json.object();
        who.put("name", request.user().name());
        who.putPOJO("groups", request.user().groups());
        who.put("virtual", Thread.currentThread().isVirtual());
        who.put("bodyLength", request.body().length);
        return new ApiResponse.Full(200, "application/json", Json.bytes(who));
      }
      case "/stream" -> {
        return new ApiResponse.Stream(
            200,
            "application/json",
            Map.of(),
            sink -> {
              sink.onClose(closedStreams::incrementAndGet);
              streams.add(sink);
            });
      }
      case "/fail" -> throw new IllegalStateException("boom");
      default -> {
        return new ApiResponse.Full(404, "text/plain", new byte[0]);
      }
    }
  }

  private static URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  private static HttpClient client(HttpClient.Version version, boolean admin) throws Exception {
    return EndToEndClients.client(pki, version, admin);
  }

  private static StreamSink nextStream() throws InterruptedException {
    StreamSink sink = streams.poll(10, TimeUnit.SECONDS);
    assertThat(sink).as("the handler started a stream").isNotNull();
    return sink;
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void negotiatesTheProtocolAndPassesTheCertificateUser(HttpClient.Version version)
      throws Exception {
    try (HttpClient client = client(version, true)) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri("/whoami")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.version()).isEqualTo(version);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(response.headers().firstValue("audit-id")).isPresent();
      assertThat(response.headers().firstValue("cache-control")).hasValue("no-cache, private");
      JsonNode who = Json.MAPPER.readTree(response.body());
      assertThat(who.get("name").asString()).isEqualTo("admin");
      assertThat(who.get("groups").values())
          .extracting(JsonNode::asString)
          .containsExactly("system:masters", "system:authenticated");
      assertThat(who.get("virtual").asBoolean()).isTrue();
    }
  }

  @Test
  void http2RequestsAreAccessLogged() throws Exception {
    Logger access = (Logger) LoggerFactory.getLogger("skiff.access");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    access.addAppender(appender);
    try (HttpClient client = client(HttpClient.Version.HTTP_2, true)) {
      client.send(
          HttpRequest.newBuilder(uri("/whoami?x=1")).build(),
          HttpResponse.BodyHandlers.discarding());

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(appender.list)
                      .extracting(ILoggingEvent::getFormattedMessage)
                      .anySatisfy(
                          line ->
                              assertThat(line)
                                  .matches(
                                      "verb=GET path=/whoami user=admin code=200"
                                          + " latency=\\d+\\.\\dms proto=h2")));
    } finally {
      access.detachAppender(appender);
    }
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void callersWithoutCertificateReachOnlyPublicPaths(HttpClient.Version version) throws Exception {
    try (HttpClient client = client(version, false)) {
      HttpResponse<String> health =
          client.send(
              HttpRequest.newBuilder(uri("/healthz")).build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> api =
          client.send(
              HttpRequest.newBuilder(uri("/whoami")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok");
      assertThat(api.statusCode()).isEqualTo(401);
      assertThat(Json.MAPPER.readTree(api.body()).get("reason").asString())
          .isEqualTo("Unauthorized");
    }
  }

  @Test
  void bodyOverThreeMebibytesIs413OverHttp2() throws Exception {
    try (HttpClient client = client(HttpClient.Version.HTTP_2, true)) {
      HttpResponse<String> tooLarge =
          client.send(
              HttpRequest.newBuilder(uri("/whoami"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[3 * 1024 * 1024 + 1]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> fits =
          client.send(
              HttpRequest.newBuilder(uri("/whoami"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[3 * 1024 * 1024]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(Json.MAPPER.readTree(tooLarge.body()).get("reason").asString())
          .isEqualTo("RequestEntityTooLarge");
      assertThat(fits.statusCode()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(fits.body()).get("bodyLength").asInt())
          .isEqualTo(3 * 1024 * 1024);
    }
  }

  @Test
  void handlerFailureIsGenericInternalError() throws Exception {
    try (HttpClient client = client(HttpClient.Version.HTTP_2, true)) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(uri("/fail")).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(Json.MAPPER.readTree(response.body()).get("reason").asString())
          .isEqualTo("InternalError");
      assertThat(response.body()).doesNotContain("boom");
    }
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void streamArrivesChunkByChunk(HttpClient.Version version) throws Exception {
    try (HttpClient client = client(version, true)) {
      HttpResponse<InputStream> response =
          client.send(
              HttpRequest.newBuilder(uri("/stream")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      StreamSink sink = nextStream();
      int closedBefore = closedStreams.get();

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(version);
      try (BufferedReader lines =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        sink.send("{\"n\":1}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(lines.readLine()).isEqualTo("{\"n\":1}");
        sink.send("{\"n\":2}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(lines.readLine()).isEqualTo("{\"n\":2}");
        sink.close();
        assertThat(lines.readLine()).isNull();
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> closedStreams.get() > closedBefore);
    }
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void clientDisconnectClosesTheStream(HttpClient.Version version) throws Exception {
    HttpClient client = client(version, true);
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(uri("/stream")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    StreamSink sink = nextStream();
    AtomicInteger closed = new AtomicInteger();
    sink.onClose(closed::incrementAndGet);
    sink.send("{\"n\":1}\n".getBytes(StandardCharsets.UTF_8));
    assertThat(response.body().read()).isEqualTo('{');

    response.body().close();
    client.close();

    await().atMost(Duration.ofSeconds(20)).until(() -> closed.get() == 1);
    assertThat(sink.isClosed()).isTrue();
  }

  @Test
  void webSocketCarriesOneMessagePerChunk() throws Exception {
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              messages.add(partial.toString());
              partial.setLength(0);
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
          }
        };
    try (HttpClient client = client(HttpClient.Version.HTTP_1_1, true)) {
      WebSocket ws =
          client
              .newWebSocketBuilder()
              .subprotocols("v4.channel.k8s.io", "base64.channel.k8s.io")
              .buildAsync(
                  URI.create("wss://127.0.0.1:" + server.port() + "/stream?watch=true"), listener)
              .get(10, TimeUnit.SECONDS);
      StreamSink sink = nextStream();
      assertThat(ws.getSubprotocol()).isEqualTo("v4.channel.k8s.io");

      sink.send("{\"type\":\"ADDED\"}".getBytes(StandardCharsets.UTF_8));
      sink.send("{\"type\":\"MODIFIED\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"ADDED\"}");
      assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("{\"type\":\"MODIFIED\"}");

      sink.close();
      assertThat(closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }
  }

  @Test
  void webSocketClosedByTheClientEndsTheStream() throws Exception {
    CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
          }
        };
    try (HttpClient client = client(HttpClient.Version.HTTP_1_1, true)) {
      WebSocket ws =
          client
              .newWebSocketBuilder()
              .buildAsync(
                  URI.create("wss://127.0.0.1:" + server.port() + "/stream?watch=true"), listener)
              .get(10, TimeUnit.SECONDS);
      StreamSink sink = nextStream();
      AtomicInteger closed = new AtomicInteger();
      sink.onClose(closed::incrementAndGet);

      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);

      assertThat(closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
      await().atMost(Duration.ofSeconds(10)).until(() -> closed.get() == 1);
      assertThat(sink.isClosed()).isTrue();
    }
  }

  @Test
  void fabric8ReadsTheVersionWithTheAdminKubeconfig() throws Exception {
    Path kubeconfig = dataDir.resolve("fabric8.kubeconfig");
    KubeconfigWriter.writeAdmin(kubeconfig, "https://127.0.0.1:" + server.port(), pki);

    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build()) {
      VersionInfo version = client.getKubernetesVersion();

      assertThat(version.getGitVersion()).isEqualTo("v1.32.0-skiff.1");
      assertThat(version.getMajor()).isEqualTo("1");
      assertThat(version.getMinor()).isEqualTo("32");
    }
  }

  @Test
  void fabric8ConnectsWithAnInMemoryKubeconfigForAnotherUser() {
    IssuedCertificate node =
        pki.issueClientCertificate("system:node:n1", List.of("system:nodes"), Duration.ofHours(1));
    String yaml =
        KubeconfigWriter.render(
            "https://127.0.0.1:" + server.port(), pki.caCertificatePem(), "node", node);

    try (KubernetesClient client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build()) {
      String who = client.raw("https://127.0.0.1:" + server.port() + "/whoami");

      JsonNode user = Json.MAPPER.readTree(who);
      assertThat(user.get("name").asString()).isEqualTo("system:node:n1");
      assertThat(user.get("groups").values())
          .extracting(JsonNode::asString)
          .containsExactly("system:nodes", "system:authenticated");
    }
  }

  @Test
  void kubectlReadsTheServerVersion() throws Exception {
    Path kubeconfig = dataDir.resolve("kubectl.kubeconfig");
    KubeconfigWriter.writeAdmin(kubeconfig, "https://127.0.0.1:" + server.port(), pki);

    Process kubectl =
        new ProcessBuilder(
                "kubectl", "--kubeconfig", kubeconfig.toString(), "version", "-o", "json")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(kubectl.exitValue()).as(output).isZero();
    JsonNode serverVersion = Json.MAPPER.readTree(output).get("serverVersion");
    assertThat(serverVersion.get("gitVersion").asString()).isEqualTo("v1.32.0-skiff.1");
    assertThat(serverVersion.get("platform").asString()).isNotEmpty();
  }

  @Test
  void plainHttpGetsAReadable400() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket
          .getOutputStream()
          .write("GET /version HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

      assertThat(answer)
          .startsWith("HTTP/1.0 400 Bad Request")
          .endsWith("Client sent an HTTP request to an HTTPS server.\n");
    }
  }

  @Test
  void portInUseIsAClearError() {
    ApiServer second =
        new ApiServer(
            new ApiServerOptions("127.0.0.1", server.port()),
            ServerTls.fromPki(pki),
            request -> new ApiResponse.Full(200, "text/plain", new byte[0]),
            new HealthChecks());

    assertThatThrownBy(second::start)
        .isInstanceOf(PortInUseException.class)
        .hasMessage("port " + server.port() + " on 127.0.0.1 is already in use");
  }
}
