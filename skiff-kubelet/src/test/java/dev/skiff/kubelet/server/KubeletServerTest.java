package dev.skiff.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.skiff.api.Json;
import dev.skiff.kubelet.cri.v1.ExecRequest;
import dev.skiff.kubelet.cri.v1.PortForwardRequest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The kubelet API over real TLS: client-certificate and token authentication, authorization through
 * SubjectAccessReview (answered by a fake API server), logs from CRI files, and the upgrade relay
 * to a fake CRI streaming server.
 */
class KubeletServerTest {
  @TempDir Path dir;

  private final TestPki pki = new TestPki();
  private final List<JsonNode> accessReviews = new CopyOnWriteArrayList<>();
  private HttpServer apiServer;
  private KubernetesClient client;
  private FakeRuntimeService runtime;
  private KubeletServer server;
  private final List<Pod> pods = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    apiServer.createContext(
        "/apis/authorization.k8s.io/v1/subjectaccessreviews",
        exchange -> {
          ObjectNode review = Json.parseObject(exchange.getRequestBody().readAllBytes());
          accessReviews.add(review);
          JsonNode spec = review.get("spec");
          JsonNode attributes = spec.get("resourceAttributes");
          boolean allowed =
              spec.get("user").asString().equals("alice")
                  && attributes.get("subresource").asString().equals("proxy")
                  && attributes.get("verb").asString().equals("get");
          review.putObject("status").put("allowed", allowed);
          respond(exchange, Json.bytes(review));
        });
    apiServer.createContext(
        "/apis/authentication.k8s.io/v1/tokenreviews",
        exchange -> {
          ObjectNode review = Json.parseObject(exchange.getRequestBody().readAllBytes());
          ObjectNode status = review.putObject("status");
          if (review.get("spec").get("token").asString().equals("good-token")) {
            status.put("authenticated", true);
            ObjectNode user = status.putObject("user");
            user.put("username", "bob");
            user.putArray("groups").add("system:authenticated");
          } else {
            status.put("authenticated", false);
          }
          respond(exchange, Json.bytes(review));
        });
    apiServer.start();
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder()
                    .withMasterUrl("http://127.0.0.1:" + apiServer.getAddress().getPort())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    runtime = new FakeRuntimeService();
    pods.add(
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("web")
            .withUid("web-uid")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .build());
    TestPki.Issued serving = pki.serving("localhost", "127.0.0.1");
    KubeletServerOptions options =
        KubeletServerOptions.defaults(
                "node1", serving.certificatePem(), serving.keyPem(), pki.ca().certificatePem())
            .withBind("127.0.0.1", 0)
            .withStatsRoots(dir.resolve("proc"), dir.resolve("cgroup"));
    server = new KubeletServer(options, client, runtime.client, () -> pods).start();
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(201, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @AfterEach
  void stop() {
    server.close();
    runtime.close();
    client.close();
    apiServer.stop(0);
  }

  // ---- a minimal HTTP/1.1 client over TLS

  record Response(int status, Map<String, String> headers, String body) {}

  private SSLSocket connect(TestPki.Issued clientCertificate) throws Exception {
    SSLContext context = pki.clientContext(clientCertificate);
    SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    return socket;
  }

  private Response get(TestPki.Issued clientCertificate, String path, String... headers)
      throws Exception {
    try (SSLSocket socket = connect(clientCertificate)) {
      StringBuilder request =
          new StringBuilder(
              "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
      for (String header : headers) {
        request.append(header).append("\r\n");
      }
      request.append("\r\n");
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      Response head = readHead(in);
      byte[] rest = in.readAllBytes();
      String body =
          "chunked".equals(head.headers().get("transfer-encoding"))
              ? dechunk(rest)
              : new String(rest, StandardCharsets.UTF_8);
      return new Response(head.status(), head.headers(), body);
    }
  }

  private static Response readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head: " + head);
      }
      head.write(b);
      byte[] bytes = head.toByteArray();
      int n = bytes.length;
      if (n >= 4
          && bytes[n - 4] == '\r'
          && bytes[n - 3] == '\n'
          && bytes[n - 2] == '\r'
          && bytes[n - 1] == '\n') {
        break;
      }
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(),
            lines[i].substring(colon + 1).trim());
      }
    }
    return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, "");
  }

  private static String dechunk(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = text.indexOf("\r\n", at);
      int size = Integer.parseInt(text.substring(at, lineEnd).trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(text, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
    return new String(out.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  // ---- authentication and authorization

  @Test
  void apiServerClientCertificateIsAllowedWithoutReview() throws Exception {
    Response response = get(pki.client("kube-apiserver-kubelet-client"), "/healthz");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok");
    assertThat(accessReviews).isEmpty();
  }

  @Test
  void mastersGroupListsThePods() throws Exception {
    Response response = get(pki.client("admin", "system:masters"), "/pods");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers().get("content-type")).isEqualTo("application/json");
    JsonNode list = Json.MAPPER.readTree(response.body());
    assertThat(list.get("kind").asString()).isEqualTo("PodList");
    assertThat(list.get("apiVersion").asString()).isEqualTo("v1");
    assertThat(list.get("items").get(0).get("metadata").get("name").asString()).isEqualTo("web");
  }

  @Test
  void noCredentialsIsUnauthorized() throws Exception {
    Response response = get(null, "/pods");
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.body()).isEqualTo("Unauthorized\n");
  }

  @Test
  void otherCertificateUsersAreAuthorizedBySubjectAccessReviewPerSubresource() throws Exception {
    TestPki.Issued alice = pki.client("alice", "team-a");
    assertThat(get(alice, "/pods").status()).isEqualTo(200);
    JsonNode review = accessReviews.get(0).get("spec");
    assertThat(review.get("user").asString()).isEqualTo("alice");
    assertThat(review.get("groups").get(0).asString()).isEqualTo("team-a");
    JsonNode attributes = review.get("resourceAttributes");
    assertThat(attributes.get("resource").asString()).isEqualTo("nodes");
    assertThat(attributes.get("subresource").asString()).isEqualTo("proxy");
    assertThat(attributes.get("name").asString()).isEqualTo("node1");
    assertThat(attributes.get("verb").asString()).isEqualTo("get");

    Response stats = get(alice, "/stats/summary");
    assertThat(stats.status()).isEqualTo(403);
    assertThat(stats.body())
        .isEqualTo("Forbidden (user=alice, verb=get, resource=nodes, subresource(s)=[stats])\n");
    Response metrics = get(alice, "/metrics/resource");
    assertThat(metrics.body()).contains("subresource(s)=[metrics]");
  }

  @Test
  void bearerTokensAreCheckedWithTokenReview() throws Exception {
    Response forbidden = get(null, "/pods", "Authorization: Bearer good-token");
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.body())
        .isEqualTo("Forbidden (user=bob, verb=get, resource=nodes, subresource(s)=[proxy])\n");
    assertThat(accessReviews.getLast().get("spec").get("groups").get(0).asString())
        .isEqualTo("system:authenticated");
    assertThat(get(null, "/pods", "Authorization: Bearer bad-token").status()).isEqualTo(401);
  }

  @Test
  void anUnreachableApiServerIsAnAuthorizationErrorNotADenial() throws Exception {
    apiServer.stop(0);
    Response response = get(pki.client("carol"), "/pods");
    assertThat(response.status()).isEqualTo(500);
    assertThat(response.body())
        .isEqualTo(
            "Authorization error (user=carol, verb=get, resource=nodes, subresource(s)=[proxy])\n");
    assertThat(get(null, "/pods", "Authorization: Bearer good-token").status()).isEqualTo(401);
  }

  @Test
  void certificatesFromAnotherCaAreRejected() {
    TestPki other = new TestPki();
    assertThatThrownBy(() -> get(other.client("admin", "system:masters"), "/healthz"))
        .isInstanceOf(IOException.class);
  }

  @Test
  void unknownPathsAre404() throws Exception {
    assertThat(get(pki.client("admin", "system:masters"), "/nope").status()).isEqualTo(404);
  }

  // ---- logs

  @Test
  void containerLogsComeFromTheCriLogFile() throws Exception {
    Path previousLog = dir.resolve("app-0.log");
    Files.writeString(previousLog, "2024-01-01T00:00:01Z stdout F crashed\n");
    Path log = dir.resolve("app-1.log");
    Files.writeString(
        log,
        "2024-01-01T00:00:02Z stdout F one\n"
            + "2024-01-01T00:00:03Z stderr P tw\n"
            + "2024-01-01T00:00:04Z stderr F o\n");
    runtime.addContainer("c0", "default", "web", "app", 0, false, previousLog);
    runtime.addContainer("c1", "default", "web", "app", 1, false, log);
    TestPki.Issued admin = pki.client("admin", "system:masters");

    assertThat(get(admin, "/containerLogs/default/web/app").body()).isEqualTo("one\ntwo\n");
    assertThat(get(admin, "/containerLogs/default/web/app?tailLines=1&timestamps=true").body())
        .isEqualTo("2024-01-01T00:00:03Z two\n");
    assertThat(get(admin, "/containerLogs/default/web/app?previous=true").body())
        .isEqualTo("crashed\n");
    assertThat(get(admin, "/containerLogs/default/web/app?limitBytes=2").body()).isEqualTo("on");

    Response noPod = get(admin, "/containerLogs/default/nope/app");
    assertThat(noPod.status()).isEqualTo(404);
    assertThat(noPod.body()).isEqualTo("pod \"nope\" does not exist\n");
    Response noContainer = get(admin, "/containerLogs/default/web/other");
    assertThat(noContainer.status()).isEqualTo(404);
    assertThat(noContainer.body()).isEqualTo("container \"other\" not found in pod \"web\"\n");
    Response invalid = get(admin, "/containerLogs/default/web/app?tailLines=-3");
    assertThat(invalid.status()).isEqualTo(422);
  }

  @Test
  void followStreamsUntilTheContainerExits() throws Exception {
    Path log = dir.resolve("app-0.log");
    Files.writeString(log, "2024-01-01T00:00:01Z stdout F first\n");
    runtime.addContainer("c1", "default", "web", "app", 0, true, log);
    try (SSLSocket socket = connect(pki.client("admin", "system:masters"))) {
      socket
          .getOutputStream()
          .write(
              upgradeRequest("GET", "/containerLogs/default/web/app?follow=true")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      Response head = readHead(in);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.headers().get("transfer-encoding")).isEqualTo("chunked");
      assertThat(readUntil(in, "first\n")).endsWith("first\n");
      Files.writeString(
          log, "2024-01-01T00:00:02Z stdout F second\n", java.nio.file.StandardOpenOption.APPEND);
      assertThat(readUntil(in, "second\n")).endsWith("second\n");
      runtime.setRunning("c1", false);
      // the response ends with the last chunk once the container has stopped
      assertThat(readUntil(in, "0\r\n\r\n")).endsWith("0\r\n\r\n");
    }
  }

  private static String readUntil(InputStream in, String end) throws IOException {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    while (!seen.toString(StandardCharsets.UTF_8).endsWith(end)) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before " + end + ": " + seen);
      }
      seen.write(b);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  @Test
  void logsOfAContainerNotStartedYetSayWhy() throws Exception {
    TestPki.Issued admin = pki.client("admin", "system:masters");
    Response waiting = get(admin, "/containerLogs/default/web/app");
    assertThat(waiting.status()).isEqualTo(400);
    assertThat(waiting.body())
        .isEqualTo("container \"app\" in pod \"web\" is waiting to start: ContainerCreating\n");
    Response previous = get(admin, "/containerLogs/default/web/app?previous=1");
    assertThat(previous.status()).isEqualTo(400);
    assertThat(previous.body())
        .isEqualTo("previous terminated container \"app\" in pod \"web\" not found\n");
  }

  // ---- streaming

  /** A stand-in for containerd's streaming server: records the request, answers 101, echoes. */
  private final class FakeStreamingServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 10, java.net.InetAddress.getLoopbackAddress());
    final List<String> requests = new CopyOnWriteArrayList<>();

    FakeStreamingServer() throws IOException {
      Thread.ofVirtual()
          .start(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket connection = socket.accept();
                    Thread.ofVirtual().start(() -> serve(connection));
                  } catch (IOException e) {
                    return;
                  }
                }
              });
    }

    private void serve(Socket connection) {
      try (connection) {
        InputStream in = connection.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          int b = in.read();
          if (b < 0) {
            return;
          }
          head.write(b);
        }
        requests.add(head.toString(StandardCharsets.ISO_8859_1));
        OutputStream out = connection.getOutputStream();
        out.write(
            ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                    + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // client gone
      }
    }

    String url(String path) {
      return "http://127.0.0.1:" + socket.getLocalPort() + path;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static String upgradeRequest(String method, String path, String... headers) {
    StringBuilder request =
        new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    return request.append("\r\n").toString();
  }

  @Test
  void execUpgradesAreRelayedToTheRuntimesStreamingServer() throws Exception {
    runtime.addContainer("c1", "default", "web", "app", 0, true, null);
    try (FakeStreamingServer streaming = new FakeStreamingServer();
        SSLSocket socket = connect(pki.client("kube-apiserver-kubelet-client"))) {
      runtime.streamingUrl = streaming.url("/exec/Zt0kEn");
      socket
          .getOutputStream()
          .write(
              upgradeRequest(
                      "POST",
                      "/exec/default/web/app?command=sh&command=-c&command=echo+hi&input=1&output=1&error=1&tty=1",
                      "Connection: Upgrade",
                      "Upgrade: SPDY/3.1",
                      "X-Stream-Protocol-Version: v4.channel.k8s.io",
                      "X-Stream-Protocol-Version: v3.channel.k8s.io",
                      "Authorization: Bearer secret")
                  .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      Response head = readHead(socket.getInputStream());
      assertThat(head.status()).isEqualTo(101);
      assertThat(head.headers().get("x-stream-protocol-version")).isEqualTo("v4.channel.k8s.io");
      // after the upgrade, bytes flow both ways unchanged
      byte[] frame = new byte[] {(byte) 0x80, 3, 0, 1, 'p', 'i', 'n', 'g'};
      socket.getOutputStream().write(frame);
      socket.getOutputStream().flush();
      assertThat(socket.getInputStream().readNBytes(frame.length)).isEqualTo(frame);

      String upstream = streaming.requests.getFirst();
      assertThat(upstream).startsWith("POST /exec/Zt0kEn HTTP/1.1\r\n");
      assertThat(upstream).contains("Host: 127.0.0.1:" + streaming.socket.getLocalPort());
      assertThat(upstream).contains("Upgrade: SPDY/3.1").contains("Connection: Upgrade");
      assertThat(upstream)
          .contains("X-Stream-Protocol-Version: v4.channel.k8s.io")
          .contains("X-Stream-Protocol-Version: v3.channel.k8s.io");
      assertThat(upstream).doesNotContain("Authorization");
    }
    ExecRequest exec = (ExecRequest) runtime.streamingRequests.getFirst();
    assertThat(exec.getContainerId()).isEqualTo("c1");
    assertThat(exec.getCmdList()).containsExactly("sh", "-c", "echo hi");
    assertThat(exec.getTty()).isTrue();
    assertThat(exec.getStdin()).isTrue();
    assertThat(exec.getStdout()).isTrue();
    // with a tty stderr is part of stdout
    assertThat(exec.getStderr()).isFalse();
  }

  @Test
  void webSocketProtocolsTheRuntimeLacksAreRefusedSoKubectlFallsBackToSpdy() throws Exception {
    runtime.addContainer("c1", "default", "web", "app", 0, true, null);
    TestPki.Issued apiserver = pki.client("kube-apiserver-kubelet-client");
    Response v5 =
        get(
            apiserver,
            "/exec/default/web/app?command=ls&output=1",
            "Connection: Upgrade",
            "Upgrade: websocket",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Protocol: v5.channel.k8s.io");
    assertThat(v5.status()).isEqualTo(400);
    assertThat(v5.body()).contains("v5.channel.k8s.io").contains("not supported");
    Response tunnel =
        get(
            apiserver,
            "/portForward/default/web?port=80",
            "Connection: Upgrade",
            "Upgrade: websocket",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io");
    assertThat(tunnel.status()).isEqualTo(400);
    assertThat(runtime.streamingRequests).isEmpty();
    Response plain = get(apiserver, "/exec/default/web/app?command=ls&output=1");
    assertThat(plain.status()).isEqualTo(400);
    assertThat(plain.body()).isEqualTo("Upgrade request required\n");
  }

  @Test
  void webSocketV4ExecIsRelayed() throws Exception {
    runtime.addContainer("c1", "default", "web", "app", 0, true, null);
    try (FakeStreamingServer streaming = new FakeStreamingServer();
        SSLSocket socket = connect(pki.client("kube-apiserver-kubelet-client"))) {
      runtime.streamingUrl = streaming.url("/exec/tok");
      socket
          .getOutputStream()
          .write(
              upgradeRequest(
                      "GET",
                      "/exec/default/web/app?command=ls&output=1",
                      "Connection: Upgrade",
                      "Upgrade: websocket",
                      "Sec-WebSocket-Version: 13",
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                      "Sec-WebSocket-Protocol: v4.channel.k8s.io")
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readHead(socket.getInputStream()).status()).isEqualTo(101);
      assertThat(streaming.requests.getFirst())
          .startsWith("GET /exec/tok HTTP/1.1\r\n")
          .contains("Sec-WebSocket-Protocol: v4.channel.k8s.io");
    }
  }

  @Test
  void execIntoAMissingContainerIsABadRequest() throws Exception {
    Response response =
        get(
            pki.client("kube-apiserver-kubelet-client"),
            "/exec/default/web/nope?command=ls&output=1",
            "Connection: Upgrade",
            "Upgrade: SPDY/3.1");
    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).isEqualTo("container nope is not valid for pod web\n");
    Response noPod =
        get(
            pki.client("kube-apiserver-kubelet-client"),
            "/exec/default/ghost/app?command=ls&output=1",
            "Connection: Upgrade",
            "Upgrade: SPDY/3.1");
    assertThat(noPod.status()).isEqualTo(404);
  }

  @Test
  void portForwardIsRelayedForThePodsSandbox() throws Exception {
    runtime.addSandbox("default", "web");
    try (FakeStreamingServer streaming = new FakeStreamingServer();
        SSLSocket socket = connect(pki.client("kube-apiserver-kubelet-client"))) {
      runtime.streamingUrl = streaming.url("/portforward/pf");
      socket
          .getOutputStream()
          .write(
              upgradeRequest(
                      "POST",
                      "/portForward/default/web",
                      "Connection: Upgrade",
                      "Upgrade: SPDY/3.1",
                      "X-Stream-Protocol-Version: portforward.k8s.io")
                  .getBytes(StandardCharsets.ISO_8859_1));
      assertThat(readHead(socket.getInputStream()).status()).isEqualTo(101);
      assertThat(streaming.requests.getFirst()).startsWith("POST /portforward/pf HTTP/1.1\r\n");
    }
    PortForwardRequest request = (PortForwardRequest) runtime.streamingRequests.getFirst();
    assertThat(request.getPodSandboxId()).isEqualTo("web-sandbox");
  }

  @Test
  void pathsMapToTheKubeletsSubresources() {
    List<String> mapped = new ArrayList<>();
    for (String path :
        List.of(
            "/stats/summary",
            "/metrics/resource",
            "/logs/syslog",
            "/pods",
            "/exec/a/b/c",
            "/statsx")) {
      mapped.add(KubeletHttpHandler.subresource(path));
    }
    assertThat(mapped).containsExactly("stats", "metrics", "log", "proxy", "proxy", "proxy");
  }
}
