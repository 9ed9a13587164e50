package dev.skiff.apiserver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.skiff.api.Json;
import dev.skiff.apiserver.AdminControlPlane;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.IssuedCertificate;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.NodeMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The kubelet-served subresources and proxies through a real in-process API server, against a fake
 * kubelet over HTTPS: fabric8, raw HTTP, a raw socket for the protocol switch, and the real
 * kubectl.
 */
class KubeletProxyTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();
  @TempDir static Path otherCa;

  private static FakeKubelet kubelet;
  private static FakeKubelet selfSigned;
  private static HttpServer podServer;
  private static List<String> podRequests = new java.util.concurrent.CopyOnWriteArrayList<>();
  private static KubernetesClient client;
  private static AdminHttp http;

  @BeforeAll
  static void start() throws Exception {
    ClusterPki pki = cluster.controlPlane().pki();
    IssuedCertificate serving = pki.issueServingCertificate("node-a", List.of("127.0.0.1"));
    kubelet = new FakeKubelet(serving.privateKey(), serving.certificate(), pki.caCertificate());
    // a kubelet whose certificate the cluster CA did not sign (as a self-signed one)
    IssuedCertificate foreign =
        ClusterPki.loadOrCreate(otherCa, List.of("127.0.0.1")).servingCertificate();
    selfSigned = new FakeKubelet(foreign.privateKey(), foreign.certificate());
    selfSigned.reportPod("default", "elsewhere");
    podServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    podServer.createContext(
        "/",
        exchange -> {
          String seen = exchange.getRequestMethod() + " " + exchange.getRequestURI();
          podRequests.add(seen + " auth=" + exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body = ("pod says " + seen).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    podServer.start();
    client = cluster.admin();
    http = new AdminHttp(cluster.controlPlane().url(), pki);

    node("node-a", kubelet.port(), true, List.of(new NodeAddress("127.0.0.1", "InternalIP")));
    node(
        "node-b",
        selfSigned.port(),
        true,
        List.of(new NodeAddress("node-b", "Hostname"), new NodeAddress("127.0.0.1", "InternalIP")));
    node("node-c", 10250, false, List.of());

    pod("web", "node-a", List.of("app"), running("app"));
    pod("multi", "node-a", List.of("a", "b"), running("a"), running("b"));
    pod("broken-pod", "node-a", List.of("broken", "refuse"), running("broken"), running("refuse"));
    pod("pending", null, List.of("app"));
    pod(
        "waiting",
        "node-a",
        List.of("app"),
        new ContainerStatusBuilder()
            .withName("app")
            .withImage("busybox")
            .withImageID("")
            .withReady(false)
            .withRestartCount(0)
            .withNewState()
            .withNewWaiting()
            .withReason("ContainerCreating")
            .endWaiting()
            .endState()
            .build());
    pod("on-c", "node-c", List.of("app"), running("app"));

    client
        .services()
        .inNamespace("default")
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("echo")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(80)
                .withNewTargetPort(podServer.getAddress().getPort())
                .endPort()
                .endSpec()
                .build())
        .create();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace("default")
        .resource(
            new EndpointSliceBuilder()
                .withNewMetadata()
                .withName("echo-1")
                .addToLabels("kubernetes.io/service-name", "echo")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint()
                .withAddresses("127.0.0.1")
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .addNewPort()
                .withName("http")
                .withPort(podServer.getAddress().getPort())
                .withProtocol("TCP")
                .endPort()
                .build())
        .create();
  }

  @AfterAll
  static void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (selfSigned != null) {
      selfSigned.close();
    }
    if (podServer != null) {
      podServer.stop(0);
    }
  }

  private static void node(String name, int port, boolean ready, List<NodeAddress> addresses) {
    var node =
        client
            .nodes()
            .resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
            .create();
    node.setStatus(
        new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
            .withAddresses(addresses)
            .withNewDaemonEndpoints()
            .withNewKubeletEndpoint()
            .withPort(port)
            .endKubeletEndpoint()
            .endDaemonEndpoints()
            .addToAllocatable("cpu", new io.fabric8.kubernetes.api.model.Quantity("4"))
            .addToAllocatable("memory", new io.fabric8.kubernetes.api.model.Quantity("8Gi"))
            .addToCapacity("cpu", new io.fabric8.kubernetes.api.model.Quantity("4"))
            .addToCapacity("memory", new io.fabric8.kubernetes.api.model.Quantity("8Gi"))
            .addNewCondition()
            .withType("Ready")
            .withStatus(ready ? "True" : "False")
            .withReason("KubeletReady")
            .endCondition()
            .build());
    client.nodes().resource(node).updateStatus();
  }

  private static ContainerStatus running(String name) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withImage("busybox")
        .withImageID("")
        .withContainerID("containerd://" + name)
        .withReady(true)
        .withRestartCount(0)
        .withNewState()
        .withNewRunning()
        .withStartedAt("2026-01-01T00:00:00Z")
        .endRunning()
        .endState()
        .build();
  }

  private static void pod(
      String name, String nodeName, List<String> containers, ContainerStatus... statuses) {
    PodBuilder builder =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("app", name)
            .endMetadata()
            .withNewSpec()
            .withNodeName(nodeName)
            .endSpec();
    for (String container : containers) {
      builder
          .editSpec()
          .addToContainers(new ContainerBuilder().withName(container).withImage("busybox").build())
          .endSpec();
    }
    Pod pod = client.pods().inNamespace("default").resource(builder.build()).create();
    if (statuses.length > 0) {
      pod.getStatus().setPhase("Running");
      pod.getStatus().setPodIP("127.0.0.1");
      pod.getStatus().setContainerStatuses(Arrays.asList(statuses));
      client.pods().inNamespace("default").resource(pod).updateStatus();
    }
  }

  private static JsonNode status(AdminHttp.Reply reply) {
    return Json.parseObject(reply.body().getBytes(StandardCharsets.UTF_8));
  }

  // ---- pods/log

  @Test
  void logsOfTheOnlyContainerComeFromTheKubeletWithTheApiServersClientCertificate() {
    String log = client.pods().inNamespace("default").withName("web").getLog();

    assertThat(log).isEqualTo("app line 1\napp line 2\napp line 3\n");
    FakeKubelet.Seen request =
        kubelet.seen().stream()
            .filter(s -> s.uri().startsWith("/containerLogs/default/web/app"))
            .findFirst()
            .orElseThrow();
    assertThat(request.clientCn()).contains("CN=kube-apiserver-kubelet-client");
    assertThat(request.headers()).doesNotContainKey("Authorization");
  }

  @Test
  void logOptionsReachTheKubelet() throws Exception {
    AdminHttp.Reply reply =
        http.get(
            "/api/v1/namespaces/default/pods/multi/log?container=b&tailLines=2&timestamps=true"
                + "&sinceSeconds=60&limitBytes=100");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).startsWith("b line 1");
    assertThat(kubelet.seen())
        .anySatisfy(
            s ->
                assertThat(s.uri())
                    .startsWith("/containerLogs/default/multi/b?")
                    .contains(
                        "tailLines=2", "timestamps=true", "sinceSeconds=60", "limitBytes=100"));
  }

  @Test
  void followedLogsArriveChunkByChunkAndStopWhenTheClientGoes() throws Exception {
    try (LogWatch watch = client.pods().inNamespace("default").withName("web").watchLog();
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
      assertThat(lines.readLine()).isEqualTo("tick 1");
      assertThat(lines.readLine()).isEqualTo("tick 2");
      assertThat(lines.readLine()).isEqualTo("tick 3");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> kubelet.openLogStreams() == 0);
  }

  @Test
  void logsOfAMissingPodAre404() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/namespaces/default/pods/nope/log");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(status(reply).path("message").asString()).isEqualTo("pods \"nope\" not found");
    assertThatThrownBy(() -> client.pods().inNamespace("default").withName("nope").getLog())
        .isInstanceOf(KubernetesClientException.class)
        .extracting(e -> ((KubernetesClientException) e).getCode())
        .isEqualTo(404);
  }

  @Test
  void aMultiContainerPodNeedsAContainerName() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/namespaces/default/pods/multi/log");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(status(reply).path("reason").asString()).isEqualTo("BadRequest");
    assertThat(status(reply).path("message").asString())
        .isEqualTo("a container name must be specified for pod multi, choose one of: [a b]");
  }

  @Test
  void anUnknownContainerIs400() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/namespaces/default/pods/multi/log?container=zzz");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(status(reply).path("message").asString())
        .isEqualTo("container zzz is not valid for pod multi");
  }

  @Test
  void aWaitingContainerHasNoLogsYet() throws Exception {
    AdminHttp.Reply waiting = http.get("/api/v1/namespaces/default/pods/waiting/log");
    AdminHttp.Reply pending = http.get("/api/v1/namespaces/default/pods/pending/log");

    assertThat(waiting.status()).isEqualTo(400);
    assertThat(status(waiting).path("message").asString())
        .isEqualTo("container \"app\" in pod \"waiting\" is waiting to start: ContainerCreating");
    assertThat(pending.status()).isEqualTo(400);
    assertThat(status(pending).path("message").asString())
        .isEqualTo("container \"app\" in pod \"pending\" is waiting to start - no logs yet");
  }

  @Test
  void previousLogsNeedATerminatedInstance() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/namespaces/default/pods/web/log?previous=true");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(status(reply).path("message").asString())
        .isEqualTo("previous terminated container \"app\" in pod \"web\" not found");
  }

  @Test
  void invalidLogOptionsAre422() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/namespaces/default/pods/web/log?tailLines=-1");

    assertThat(reply.status()).isEqualTo(422);
    assertThat(status(reply).path("details").path("causes").get(0).path("field").asString())
        .isEqualTo("tailLines");
  }

  @Test
  void aKubeletErrorReachesTheClientAsAStatusWithItsMessage() throws Exception {
    AdminHttp.Reply reply =
        http.get("/api/v1/namespaces/default/pods/broken-pod/log?container=broken");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(status(reply).path("kind").asString()).isEqualTo("Status");
    assertThat(status(reply).path("message").asString())
        .isEqualTo("failed to open log file of container broken");
  }

  @Test
  void aNodeWithoutAddressesIsServiceUnavailable() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/namespaces/default/pods/on-c/log");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(status(reply).path("reason").asString()).isEqualTo("ServiceUnavailable");
    assertThat(status(reply).path("message").asString()).startsWith("no preferred addresses found");
  }

  // ---- proxies

  @Test
  void nodeProxyForwardsAnyMethodAndPathToTheKubelet() throws Exception {
    String get = client.raw("/api/v1/nodes/node-a/proxy/some/path?x=1&y=two");
    AdminHttp.Reply post = http.send("POST", "/api/v1/nodes/node-a/proxy/configz");
    AdminHttp.Reply delete = http.send("DELETE", "/api/v1/nodes/node-a/proxy/some/thing");

    assertThat(get).startsWith("GET /some/path?").contains("x=1", "y=two");
    assertThat(post.body()).isEqualTo("POST /configz");
    assertThat(delete.body()).isEqualTo("DELETE /some/thing");
    assertThat(kubelet.seen())
        .filteredOn(s -> s.uri().startsWith("/some/path"))
        .allSatisfy(s -> assertThat(s.headers()).doesNotContainKey("Authorization"));
  }

  @Test
  void aKubeletWithACertificateFromAnotherIssuerIsStillReached() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/nodes/node-b/proxy/healthz");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body()).isEqualTo("ok");
  }

  @Test
  void nodeProxyToANodeWithoutAddressIs503() throws Exception {
    AdminHttp.Reply reply = http.get("/api/v1/nodes/node-c/proxy/healthz");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(status(reply).path("message").asString())
        .isEqualTo("no preferred addresses found; known addresses: []");
  }

  @Test
  void podProxyReachesThePodIpAndPort() throws Exception {
    int port = podServer.getAddress().getPort();
    String body = client.raw("/api/v1/namespaces/default/pods/web:" + port + "/proxy/hello?q=1");

    assertThat(body).isEqualTo("pod says GET /hello?q=1");
    assertThat(podRequests).contains("GET /hello?q=1 auth=null");
  }

  @Test
  void serviceProxyPicksAReadyEndpointByPortNameOrNumber() throws Exception {
    String byName = client.raw("/api/v1/namespaces/default/services/echo:http/proxy/by-name");
    String byNumber = client.raw("/api/v1/namespaces/default/services/echo:80/proxy/by-number/");
    String withScheme =
        client.raw("/api/v1/namespaces/default/services/http:echo:80/proxy/with-scheme");

    assertThat(byName).isEqualTo("pod says GET /by-name");
    assertThat(byNumber).isEqualTo("pod says GET /by-number/");
    assertThat(withScheme).isEqualTo("pod says GET /with-scheme");
  }

  @Test
  void serviceProxyWithoutEndpointsIs503() throws Exception {
    client
        .services()
        .inNamespace("default")
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("lonely")
                .endMetadata()
                .withNewSpec()
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();

    AdminHttp.Reply reply = http.get("/api/v1/namespaces/default/services/lonely/proxy/");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(status(reply).path("message").asString())
        .isEqualTo("no endpoints available for service \"lonely\"");
  }

  // ---- protocol switches

  @Test
  void anExecUpgradeIsSplicedToTheKubeletByteForByte() throws Exception {
    try (SSLSocket socket = upgradeSocket()) {
      send(
          socket,
          "POST /api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=echo%20hi"
              + "&stdin=true&stdout=true HTTP/1.1\r\n"
              + "Host: 127.0.0.1\r\n"
              + "Connection: Upgrade\r\n"
              + "Upgrade: SPDY/3.1\r\n"
              + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
              + "Content-Length: 0\r\n\r\n");
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 101 ").containsIgnoringCase("upgrade: SPDY/3.1");
      assertThat(readLine(in)).isEqualTo("ready");

      send(socket, "hello through the splice\n");
      assertThat(readLine(in)).isEqualTo("hello through the splice");
      byte[] big = new byte[256 * 1024];
      Arrays.fill(big, (byte) 'x');
      socket.getOutputStream().write(big);
      socket.getOutputStream().flush();
      assertThat(in.readNBytes(big.length)).isEqualTo(big);
    }
    FakeKubelet.Seen exec =
        kubelet.seen().stream().filter(s -> s.uri().startsWith("/exec/")).findFirst().orElseThrow();
    assertThat(exec.method()).isEqualTo("POST");
    assertThat(exec.uri())
        .startsWith("/exec/default/web/app?")
        .contains("input=1", "output=1", "command=sh", "command=-c", "command=echo%20hi");
    assertThat(exec.headers()).containsKey("X-Stream-Protocol-Version");
    assertThat(exec.headers()).doesNotContainKey("Authorization");
    assertThat(exec.clientCn()).contains("CN=kube-apiserver-kubelet-client");
  }

  @Test
  void aWebSocketPortForwardIsSplicedToo() throws Exception {
    try (SSLSocket socket = upgradeSocket()) {
      send(
          socket,
          "GET /api/v1/namespaces/default/pods/web/portforward?ports=8080,9090 HTTP/1.1\r\n"
              + "Host: 127.0.0.1\r\n"
              + "Connection: Upgrade\r\n"
              + "Upgrade: websocket\r\n"
              + "Sec-WebSocket-Version: 13\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n");
      InputStream in = socket.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");
      assertThat(readLine(in)).isEqualTo("ready");
      send(socket, "ping\n");
      assertThat(readLine(in)).isEqualTo("ping");
    }
    assertThat(kubelet.seen())
        .anySatisfy(
            s -> assertThat(s.uri()).isEqualTo("/portForward/default/web?port=8080&port=9090"));
  }

  @Test
  void aKubeletRefusingTheSwitchIsAStatus() throws Exception {
    try (SSLSocket socket = upgradeSocket()) {
      send(
          socket,
          "GET /api/v1/namespaces/default/pods/broken-pod/exec?container=refuse&command=sh"
              + "&stdout=true HTTP/1.1\r\n"
              + "Host: 127.0.0.1\r\n"
              + "Connection: Upgrade\r\n"
              + "Upgrade: SPDY/3.1\r\n\r\n");
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertThat(head).startsWith("HTTP/1.1 400 ");
      int length =
          Integer.parseInt(
              head.lines()
                  .filter(l -> l.toLowerCase().startsWith("content-length:"))
                  .findFirst()
                  .orElseThrow()
                  .substring("content-length:".length())
                  .strip());
      JsonNode status = Json.parseObject(in.readNBytes(length));
      assertThat(status.path("message").asString()).isEqualTo("container refuse is not running");
    }
  }

  @Test
  void execWithoutAnUpgradeIs400() throws Exception {
    AdminHttp.Reply reply =
        http.send("POST", "/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(status(reply).path("message").asString()).isEqualTo("Upgrade request required");
  }

  private static SSLSocket upgradeSocket() throws Exception {
    SSLSocket socket =
        (SSLSocket)
            http.tls().getSocketFactory().createSocket("127.0.0.1", cluster.controlPlane().port());
    socket.setSoTimeout(10_000);
    socket.setEnabledProtocols(new String[] {"TLSv1.3"});
    var parameters = socket.getSSLParameters();
    parameters.setApplicationProtocols(new String[] {"http/1.1"});
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  private static void send(SSLSocket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      line.append((char) b);
    }
    return line.toString();
  }

  // ---- metrics.k8s.io

  @Test
  void nodeAndPodMetricsComeFromTheKubeletsResourceMetrics() {
    List<NodeMetrics> nodes = client.top().nodes().metrics().getItems();
    NodeMetrics nodeA =
        nodes.stream()
            .filter(n -> n.getMetadata().getName().equals("node-a"))
            .findFirst()
            .orElseThrow();
    PodMetrics web = client.top().pods().metrics("default", "web");

    assertThat(nodes)
        .extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrder("node-a", "node-b");
    assertThat(nodeA.getUsage().get("cpu").toString()).isEqualTo("250m");
    assertThat(nodeA.getUsage().get("memory").toString()).isEqualTo("100Mi");
    assertThat(nodeA.getWindow().getDuration()).isPositive();
    assertThat(nodeA.getTimestamp()).isNotEmpty();
    assertThat(web.getContainers()).hasSize(1);
    assertThat(web.getContainers().get(0).getName()).isEqualTo("app");
    assertThat(web.getContainers().get(0).getUsage().get("cpu").toString()).isEqualTo("10m");
    assertThat(web.getContainers().get(0).getUsage().get("memory").toString()).isEqualTo("20Mi");
  }

  @Test
  void podMetricsListsFollowLabelSelectorsAndNamespaces() throws Exception {
    AdminHttp.Reply selected =
        http.get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb");
    AdminHttp.Reply other =
        http.get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dmulti");
    AdminHttp.Reply all = http.get("/apis/metrics.k8s.io/v1beta1/pods");

    assertThat(status(selected).path("kind").asString()).isEqualTo("PodMetricsList");
    assertThat(status(selected).path("items")).hasSize(1);
    assertThat(status(selected).path("items").get(0).path("metadata").path("name").asString())
        .isEqualTo("web");
    assertThat(status(other).path("items")).isEmpty();
    assertThat(status(all).path("items")).hasSize(1);
  }

  @Test
  void metricsOfAPodWithoutDataAre404LikeMetricsServer() throws Exception {
    AdminHttp.Reply reply =
        http.get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/pending");
    AdminHttp.Reply node = http.get("/apis/metrics.k8s.io/v1beta1/nodes/node-c");

    assertThat(reply.status()).isEqualTo(404);
    assertThat(status(reply).path("message").asString())
        .isEqualTo("podmetrics.metrics.k8s.io \"pending\" not found");
    assertThat(node.status()).isEqualTo(404);
    assertThat(status(node).path("message").asString())
        .isEqualTo("nodemetrics.metrics.k8s.io \"node-c\" not found");
  }

  @Test
  void discoveryListsTheMetricsApi() throws Exception {
    assertThat(client.getApiGroups().getGroups())
        .anySatisfy(g -> assertThat(g.getName()).isEqualTo("metrics.k8s.io"));
    var resources = client.getApiResources("metrics.k8s.io/v1beta1").getResources();
    assertThat(resources)
        .extracting(
            r -> r.getName() + ":" + r.getKind() + ":" + r.getNamespaced() + ":" + r.getVerbs())
        .containsExactlyInAnyOrder(
            "nodes:NodeMetrics:false:[get, list]", "pods:PodMetrics:true:[get, list]");
    AdminHttp.Reply aggregated =
        http.get("/apis", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    JsonNode metrics = null;
    for (JsonNode group : status(aggregated).path("items")) {
      if (group.path("metadata").path("name").asString().equals("metrics.k8s.io")) {
        metrics = group;
      }
    }
    assertThat(metrics).isNotNull();
    assertThat(metrics.path("versions").get(0).path("version").asString()).isEqualTo("v1beta1");
    assertThat(metrics.path("versions").get(0).path("resources"))
        .extracting(r -> r.path("resource").asString())
        .containsExactlyInAnyOrder("nodes", "pods");
  }

  // ---- authorization

  @Test
  void subresourcesAreAuthorizedByTheirOwnNames() throws Exception {
    client
        .rbac()
        .clusterRoles()
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder()
                .withNewMetadata()
                .withName("log-reader")
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("pods", "pods/log")
                .withVerbs("get")
                .endRule()
                .addNewRule()
                .withApiGroups("")
                .withResources("nodes/proxy")
                .withResourceNames("node-b")
                .withVerbs("get")
                .endRule()
                .build())
        .create();
    client
        .rbac()
        .clusterRoleBindings()
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("log-reader")
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("log-reader")
                .endRoleRef()
                .addNewSubject()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("User")
                .withName("reader")
                .endSubject()
                .build())
        .create();
    assertThat(cluster.controlPlane().security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
    ClusterPki pki = cluster.controlPlane().pki();
    AdminHttp reader =
        new AdminHttp(
            cluster.controlPlane().url(),
            pki,
            pki.issueClientCertificate("reader", List.of(), Duration.ofHours(1)));

    AdminHttp.Reply log = reader.get("/api/v1/namespaces/default/pods/web/log");
    AdminHttp.Reply exec =
        reader.send("POST", "/api/v1/namespaces/default/pods/web/exec?command=sh&stdout=true");
    AdminHttp.Reply allowedNode = reader.get("/api/v1/nodes/node-b/proxy/healthz");
    AdminHttp.Reply otherNode = reader.get("/api/v1/nodes/node-a/proxy/healthz");

    assertThat(log.status()).isEqualTo(200);
    assertThat(exec.status()).isEqualTo(403);
    assertThat(status(exec).path("message").asString())
        .contains("cannot create resource \"pods/exec\"");
    assertThat(allowedNode.status()).isEqualTo(200);
    assertThat(otherNode.status()).isEqualTo(403);
    assertThat(status(otherNode).path("message").asString())
        .contains("cannot get resource \"nodes/proxy\"");
  }

  // ---- the real kubectl

  record Result(int exit, String out, String err) {}

  private static Result kubectl(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", cluster.kubeconfig().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    var err = process.getErrorStream();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String errText = new String(err.readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), out, errText);
  }

  @Test
  void kubectlLogsWithOptions() throws Exception {
    Result plain = kubectl("logs", "web");
    Result container = kubectl("logs", "multi", "-c", "a", "--tail=1", "--timestamps");
    Result defaulted = kubectl("logs", "multi");

    assertThat(plain.exit()).as(plain.err()).isZero();
    assertThat(plain.out()).isEqualTo("app line 1\napp line 2\napp line 3\n");
    assertThat(container.exit()).as(container.err()).isZero();
    assertThat(kubelet.seen())
        .anySatisfy(
            s ->
                assertThat(s.uri())
                    .startsWith("/containerLogs/default/multi/a?")
                    .contains("tailLines=1", "timestamps=true"));
    // kubectl itself picks the first container (the API server's 400 is asserted above by HTTP)
    assertThat(defaulted.exit()).as(defaulted.err()).isZero();
    assertThat(defaulted.err()).contains("Defaulted container \"a\" out of: a, b");
    assertThat(defaulted.out()).startsWith("a line 1\n");
  }

  @Test
  void kubectlLogsFollowStreamsUntilStopped() throws Exception {
    Process process =
        new ProcessBuilder(
                "kubectl", "--kubeconfig", cluster.kubeconfig().toString(), "logs", "-f", "web")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("tick 1");
      assertThat(out.readLine()).isEqualTo("tick 2");
      assertThat(out.readLine()).isEqualTo("tick 3");
    } finally {
      process.destroy();
      process.waitFor();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> kubelet.openLogStreams() == 0);
  }

  @Test
  void kubectlProxyReachesAServiceThroughServicesProxy() throws Exception {
    Process process =
        new ProcessBuilder(
                "kubectl",
                "--kubeconfig",
                cluster.kubeconfig().toString(),
                "proxy",
                "--port=0",
                "--address=127.0.0.1")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String started = out.readLine();
      assertThat(started).startsWith("Starting to serve on 127.0.0.1:");
      String local = "http://" + started.substring("Starting to serve on ".length());
      var response =
          // HTTP/1.1 as curl speaks it: kubectl proxy takes an h2c offer for a protocol switch
          java.net.http.HttpClient.newBuilder()
              .version(java.net.http.HttpClient.Version.HTTP_1_1)
              .build()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(
                              local
                                  + "/api/v1/namespaces/default/services/echo:http/proxy/via-kubectl"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("pod says GET /via-kubectl");
    } finally {
      process.destroy();
      process.waitFor();
    }
  }

  @Test
  void kubectlGetRawThroughTheNodeProxy() throws Exception {
    Result healthz = kubectl("get", "--raw", "/api/v1/nodes/node-a/proxy/healthz");

    assertThat(healthz.exit()).as(healthz.err()).isZero();
    assertThat(healthz.out()).isEqualTo("ok");
  }

  @Test
  void kubectlTopNodesAndPods() throws Exception {
    Result nodes = kubectl("top", "nodes");
    Result pods = kubectl("top", "pods", "-n", "default");

    assertThat(nodes.exit()).as(nodes.err()).isZero();
    assertThat(nodes.out()).contains("node-a", "250m", "100Mi");
    assertThat(pods.exit()).as(pods.err()).isZero();
    assertThat(pods.out()).contains("web", "10m", "20Mi");
  }
}
