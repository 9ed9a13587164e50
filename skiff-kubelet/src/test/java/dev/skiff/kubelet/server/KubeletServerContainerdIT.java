package dev.skiff.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.api.Json;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.ExecRequest;
import dev.skiff.kubelet.cri.v1.PortForwardRequest;
import dev.skiff.kubelet.image.BusyboxImage;
import dev.skiff.kubelet.network.BusyboxPod;
import dev.skiff.kubelet.network.HostCommands;
import dev.skiff.kubelet.network.TestNamespaces;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The kubelet API against a real containerd 1.6 (in a network namespace of its own): logs from the
 * CRI log file containerd writes, stats from CRI and the host's cgroups, log rotation with
 * ReopenContainerLog, and which upgrade protocols containerd's streaming server accepts (asked from
 * inside the namespace, where its loopback streaming server listens).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeletServerContainerdIT {
  private static final TestNamespaces namespaces = new TestNamespaces();
  private static final TestPki pki = new TestPki();
  private static Path dataDir;
  private static HostCommands netns;
  private static BusyboxPod busybox;
  private static CriClient cri;
  private static String sandboxId;
  private static KubeletServer server;

  @BeforeAll
  static void startContainerdAndAPod() throws Exception {
    busybox =
        BusyboxPod.start(
            namespaces,
            "ksrv",
            "echo hello from busybox; echo oops >&2; while true; do sleep 1; done");
    dataDir = busybox.dataDir();
    netns = busybox.netns();
    cri = busybox.cri();
    sandboxId = busybox.sandboxId();

    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("web")
            .withUid("web-uid")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage(BusyboxImage.REFERENCE)
            .endContainer()
            .endSpec()
            .build();
    TestPki.Issued serving = pki.serving("127.0.0.1");
    server =
        new KubeletServer(
                KubeletServerOptions.defaults(
                        "node1",
                        serving.certificatePem(),
                        serving.keyPem(),
                        pki.ca().certificatePem())
                    .withBind("127.0.0.1", 0),
                token -> java.util.Optional.empty(),
                (user, verb, subresource) -> false,
                cri,
                () -> List.of(pod),
                InstantSource.system())
            .start();
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (server != null) {
        server.close();
      }
      if (busybox != null) {
        busybox.close();
      }
    } finally {
      namespaces.close();
    }
  }

  private static String get(String path) throws Exception {
    var context = pki.clientContext(pki.client("kube-apiserver-kubelet-client"));
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 200");
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  @Test
  @Order(1)
  void logsComeFromTheFileContainerdWrites() {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(get("/containerLogs/default/web/app"))
                    .contains("hello from busybox\n")
                    .contains("oops\n"));
  }

  @Test
  @Order(2)
  void statsComeFromCriAndTheHostsCgroups() throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              String body = get("/stats/summary");
              JsonNode summary = Json.MAPPER.readTree(body.substring(body.indexOf('{')));
              assertThat(summary.get("node").get("cpu").get("usageCoreNanoSeconds").asLong())
                  .isPositive();
              assertThat(summary.get("node").get("memory").get("workingSetBytes").asLong())
                  .isPositive();
              JsonNode pod = summary.get("pods").get(0);
              assertThat(pod.get("podRef").get("name").asString()).isEqualTo("web");
              JsonNode app = pod.get("containers").get(0);
              assertThat(app.get("name").asString()).isEqualTo("app");
              assertThat(app.get("memory").get("workingSetBytes").asLong()).isPositive();
              assertThat(app.get("cpu").get("usageCoreNanoSeconds").asLong()).isPositive();
            });
    assertThat(get("/metrics/resource"))
        .contains(
            "container_memory_working_set_bytes{container=\"app\",namespace=\"default\",pod=\"web\"}")
        .contains("node_cpu_usage_seconds_total ")
        .contains("resource_scrape_error 0");
  }

  @Test
  @Order(3)
  void rotationRenamesTheLogAndContainerdReopensIt() throws Exception {
    Path log = dataDir.resolve("pods/default_web_web-uid/app/0.log");
    // a manager with a tiny limit (the server's own keeps the 10Mi default)
    new ContainerLogManager(cri, 16, 3).rotateAll();
    List<Path> rotated = ContainerLogManager.rotatedFiles(log);
    assertThat(rotated).hasSize(1);
    assertThat(Files.readString(rotated.getFirst())).contains("stdout F hello from busybox");
    assertThat(log).exists();
    // tailLines reaches into the rotated file when the current one is short
    assertThat(get("/containerLogs/default/web/app?tailLines=2")).contains("hello from busybox");
  }

  /** Sends an upgrade request to containerd's streaming server from inside the namespace. */
  private static String statusLine(String url, String... headers) {
    List<String> command = new ArrayList<>(List.of("curl", "-s", "-i", "-N", "--max-time", "2"));
    for (String header : headers) {
      command.add("-H");
      command.add(header);
    }
    command.add(url);
    String out = netns.execute(command, null, Map.of()).stdout();
    return out.isEmpty() ? "" : out.lines().findFirst().orElse("");
  }

  private static String execUrl() {
    return cri.runtime()
        .exec(
            ExecRequest.newBuilder()
                .setContainerId(
                    new CriContainers(cri).attempts("default", "web", "app").getFirst().getId())
                .addAllCmd(List.of("echo", "hi"))
                .setStdout(true)
                .build())
        .getUrl();
  }

  private static final String[] WEBSOCKET = {
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
  };

  private static String[] with(String[] base, String... more) {
    List<String> all = new ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  @Order(4)
  void containerdStreamsSpdyAndWebSocketV4ButRefusesWhatKubectl132TriesFirst() {
    assertThat(execUrl()).startsWith("http://127.0.0.1:");
    // kubectl 1.32 exec offers only v5.channel.k8s.io over WebSocket: containerd 1.6 says 403
    assertThat(statusLine(execUrl(), with(WEBSOCKET, "Sec-WebSocket-Protocol: v5.channel.k8s.io")))
        .contains(" 403");
    // the v4 WebSocket protocol (fabric8, older clients) is accepted
    assertThat(statusLine(execUrl(), with(WEBSOCKET, "Sec-WebSocket-Protocol: v4.channel.k8s.io")))
        .contains(" 101");
    // kubectl's fallback: SPDY/3.1 with the channel protocol versions
    assertThat(
            statusLine(
                execUrl(),
                "Connection: Upgrade",
                "Upgrade: SPDY/3.1",
                "X-Stream-Protocol-Version: v4.channel.k8s.io"))
        .contains(" 101");

    String portForward =
        cri.runtime()
            .portForward(PortForwardRequest.newBuilder().setPodSandboxId(sandboxId).build())
            .getUrl();
    // kubectl's WebSocket port-forward tunnels SPDY in a subprotocol containerd does not know
    assertThat(
            statusLine(
                portForward + "?port=80",
                with(WEBSOCKET, "Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io")))
        .doesNotContain(" 101");
    String spdyPortForward =
        cri.runtime()
            .portForward(PortForwardRequest.newBuilder().setPodSandboxId(sandboxId).build())
            .getUrl();
    assertThat(
            statusLine(
                spdyPortForward,
                "Connection: Upgrade",
                "Upgrade: SPDY/3.1",
                "X-Stream-Protocol-Version: portforward.k8s.io"))
        .contains(" 101");
  }
}
