package dev.skiff.kubelet.prober;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.skiff.kubelet.prober.ProbeResult.Outcome;
import dev.skiff.kubelet.prober.health.v1.HealthCheckRequest;
import dev.skiff.kubelet.prober.health.v1.HealthCheckResponse;
import dev.skiff.kubelet.prober.health.v1.HealthGrpc;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each probe handler against real servers on 127.0.0.1. */
class ProberTest {
  static HttpServer http;
  static int httpPort;
  static final Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
  static FakeRuntime runtime;
  static Prober prober;
  static final Pod POD = ProbeManagerTest.pod("Always", plain());

  @BeforeAll
  static void start() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    httpPort = http.getAddress().getPort();
    http.createContext("/", ProberTest::handle);
    http.start();
    runtime = new FakeRuntime();
    prober = new Prober(runtime.client());
  }

  @AfterAll
  static void stop() {
    http.stop(0);
    runtime.close();
  }

  static void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    Map<String, String> headers = new ConcurrentHashMap<>();
    ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
    seen.put(path, headers);
    switch (path) {
      case "/fail" -> respond(ex, 500, "broken");
      case "/redirect-same" -> {
        ex.getResponseHeaders().add("Location", "/ok");
        respond(ex, 302, "moved");
      }
      case "/redirect-other" -> {
        ex.getResponseHeaders().add("Location", "http://localhost:" + httpPort + "/ok");
        respond(ex, 302, "moved");
      }
      case "/slow" -> {
        try {
          Thread.sleep(3000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        respond(ex, 200, "late");
      }
      case "/big" -> {
        ex.sendResponseHeaders(200, 0); // chunked
        try (OutputStream out = ex.getResponseBody()) {
          out.write("x".repeat(50_000).getBytes(StandardCharsets.UTF_8));
        }
      }
      default -> respond(ex, 200, "fine");
    }
  }

  static void respond(HttpExchange ex, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(code, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  static Container plain() {
    return new ContainerBuilder()
        .withName("web")
        .withImage("busybox")
        .addNewPort()
        .withName("http")
        .withContainerPort(0)
        .endPort()
        .build();
  }

  static Container withHttpPort(int port) {
    return new ContainerBuilder(plain())
        .withPorts()
        .addNewPort()
        .withName("http")
        .withContainerPort(port)
        .endPort()
        .build();
  }

  static Probe httpGet(String path, Object port, HTTPHeader... headers) {
    IntOrString p = port instanceof Integer i ? new IntOrString(i) : new IntOrString((String) port);
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(p)
        .withHttpHeaders(headers)
        .endHttpGet()
        .build();
  }

  static ProbeResult run(Probe probe, Container container) {
    return prober.run(probe, POD, container, "c1", "127.0.0.1");
  }

  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void httpSuccessAndStatusCodeFailure() {
    assertThat(run(httpGet("/ok", httpPort), plain())).isEqualTo(ProbeResult.success("fine"));
    assertThat(run(httpGet("/fail", httpPort), plain()))
        .isEqualTo(ProbeResult.failure("HTTP probe failed with statuscode: 500"));
  }

  @Test
  void httpSendsKubeProbeUserAgentHeadersAndHostOverride() {
    ProbeResult r =
        run(
            httpGet(
                "/headers",
                "http",
                new HTTPHeader("X-Custom", "v"),
                new HTTPHeader("Host", "example.test")),
            withHttpPort(httpPort));
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
    Map<String, String> h = seen.get("/headers");
    assertThat(h)
        .containsEntry("user-agent", "kube-probe/1.32")
        .containsEntry("accept", "*/*")
        .containsEntry("x-custom", "v")
        .containsEntry("host", "example.test");

    run(httpGet("/agent", httpPort, new HTTPHeader("User-Agent", "mine")), plain());
    assertThat(seen.get("/agent")).containsEntry("user-agent", "mine");
  }

  @Test
  void httpRedirectsOnTheSameHostAreFollowedOthersEndInAWarning() {
    assertThat(run(httpGet("/redirect-same", httpPort), plain()))
        .isEqualTo(ProbeResult.success("fine"));
    assertThat(seen).containsKey("/ok");
    assertThat(run(httpGet("/redirect-other", httpPort), plain()))
        .isEqualTo(ProbeResult.warning("Probe terminated redirects, Response body: moved"));
  }

  @Test
  void httpConnectionRefusedAndTimeoutAreWordedAsGo() throws IOException {
    int closed = closedPort();
    assertThat(run(httpGet("/x", closed), plain()))
        .isEqualTo(
            ProbeResult.failure(
                "Get \"http://127.0.0.1:"
                    + closed
                    + "/x\": dial tcp 127.0.0.1:"
                    + closed
                    + ": connect: connection refused"));
    assertThat(run(httpGet("/slow", httpPort), plain())) // timeoutSeconds defaults to 1
        .isEqualTo(
            ProbeResult.failure(
                "Get \"http://127.0.0.1:"
                    + httpPort
                    + "/slow\": context deadline exceeded"
                    + " (Client.Timeout exceeded while awaiting headers)"));
  }

  @Test
  void httpReadsAtMostTenKibOfBody() {
    ProbeResult r = run(httpGet("/big", httpPort), plain());
    assertThat(r.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(r.output()).hasSize(10 * 1024);
  }

  @Test
  void httpsIsProbedWithoutVerifyingTheCertificate(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("ks.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "probe",
                "-keyalg",
                "EC",
                "-dname",
                "CN=somewhere.else",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).isZero();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(keystore.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(tls));
    https.createContext("/", ex -> respond(ex, 204, ""));
    https.start();
    try {
      Probe probe =
          new ProbeBuilder()
              .withNewHttpGet()
              .withScheme("HTTPS")
              .withPath("/secure")
              .withPort(new IntOrString(https.getAddress().getPort()))
              .endHttpGet()
              .withTimeoutSeconds(5)
              .build();
      assertThat(run(probe, plain())).isEqualTo(ProbeResult.success(""));
    } finally {
      https.stop(0);
    }
  }

  @Test
  void httpsProbeOfAPlainHttpServerFails() throws IOException {
    try (PlainHttpServer server = new PlainHttpServer()) {
      httpsProbeOf(server.port());
    }
  }

  void httpsProbeOf(int httpPort) {
    Probe probe =
        new ProbeBuilder()
            .withNewHttpGet()
            .withScheme("HTTPS")
            .withPath("/ok")
            .withPort(new IntOrString(httpPort))
            .endHttpGet()
            .build();
    assertThat(run(probe, plain()))
        .isEqualTo(
            ProbeResult.failure(
                "Get \"https://127.0.0.1:"
                    + httpPort
                    + "/ok\": http: server gave HTTP response to HTTPS client"));
  }

  @Test
  void tcpConnectsOrSaysWhyNot() throws IOException {
    try (ServerSocket open = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Probe ok =
          new ProbeBuilder()
              .withNewTcpSocket()
              .withPort(new IntOrString(open.getLocalPort()))
              .endTcpSocket()
              .build();
      assertThat(run(ok, plain()).outcome()).isEqualTo(Outcome.SUCCESS);
    }
    int closed = closedPort();
    Probe refused =
        new ProbeBuilder()
            .withNewTcpSocket()
            .withPort(new IntOrString("http"))
            .endTcpSocket()
            .build();
    assertThat(run(refused, withHttpPort(closed)))
        .isEqualTo(
            ProbeResult.failure("dial tcp 127.0.0.1:" + closed + ": connect: connection refused"));
  }

  @Test
  void invalidPortsAreErrorsNotExceptions() {
    assertThat(run(httpGet("/", "metrics"), plain()))
        .isEqualTo(ProbeResult.error("strconv.Atoi: parsing \"metrics\": invalid syntax"));
    assertThat(run(httpGet("/", 70000), plain()))
        .isEqualTo(ProbeResult.error("invalid port number: 70000"));
    assertThat(run(httpGet("/", "http"), plain())) // a named port whose number is 0
        .isEqualTo(ProbeResult.error("invalid port number: 0"));
    assertThat(run(httpGet("/ok", String.valueOf(httpPort)), plain()).outcome())
        .isEqualTo(Outcome.SUCCESS); // a number written as a string
    Probe grpc = new ProbeBuilder().withNewGrpc().withPort(0).endGrpc().build();
    assertThat(run(grpc, plain())).isEqualTo(ProbeResult.error("invalid port number: 0"));
    assertThat(run(new ProbeBuilder().build(), plain()))
        .isEqualTo(ProbeResult.error("missing probe handler for web-pod_default(uid-1):web"));
  }

  @Test
  void execOutputIsCombinedAndCut() {
    runtime.script = r -> FakeRuntime.exit(3, "out\n", "err\n");
    Probe probe =
        new ProbeBuilder()
            .withNewExec()
            .withCommand("cat", "/tmp/healthy")
            .endExec()
            .withTimeoutSeconds(4)
            .build();
    assertThat(run(probe, plain())).isEqualTo(ProbeResult.failure("out\nerr\n"));
    assertThat(runtime.execs.getLast().getCmdList()).containsExactly("cat", "/tmp/healthy");
    assertThat(runtime.execs.getLast().getContainerId()).isEqualTo("c1");
    assertThat(runtime.execs.getLast().getTimeout()).isEqualTo(4);
    runtime.script = r -> FakeRuntime.exit(0, "y".repeat(20_000), "");
    ProbeResult big = run(probe, plain());
    assertThat(big.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(big.output()).hasSize(10 * 1024);
  }

  @Test
  void grpcHealthCheck() throws Exception {
    Map<String, String> agents = new ConcurrentHashMap<>();
    HealthGrpc.HealthImplBase health =
        new HealthGrpc.HealthImplBase() {
          @Override
          public void check(HealthCheckRequest req, StreamObserver<HealthCheckResponse> out) {
            switch (req.getService()) {
              case "" -> reply(out, HealthCheckResponse.ServingStatus.SERVING);
              case "down" -> reply(out, HealthCheckResponse.ServingStatus.NOT_SERVING);
              default ->
                  out.onError(
                      Status.NOT_FOUND.withDescription("unknown service").asRuntimeException());
            }
          }

          void reply(StreamObserver<HealthCheckResponse> out, HealthCheckResponse.ServingStatus s) {
            out.onNext(HealthCheckResponse.newBuilder().setStatus(s).build());
            out.onCompleted();
          }
        };
    ServerInterceptor agent =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            agents.put(
                "ua", headers.get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER)));
            return next.startCall(call, headers);
          }
        };
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(health, agent))
            .build()
            .start();
    Server bare =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).build().start();
    try {
      int port = server.getPort();
      assertThat(run(grpc(port, null), plain())).isEqualTo(ProbeResult.success("service healthy"));
      assertThat(agents.get("ua")).startsWith("kube-probe/1.32");
      assertThat(run(grpc(port, "down"), plain()))
          .isEqualTo(ProbeResult.failure("service unhealthy (responded with \"NOT_SERVING\")"));
      assertThat(run(grpc(port, "other"), plain()))
          .isEqualTo(
              ProbeResult.failure(
                  "error: health rpc probe failed: rpc error: code = NotFound desc = unknown"
                      + " service"));
      assertThat(run(grpc(bare.getPort(), null), plain()).output())
          .startsWith(
              "error: this server does not implement the grpc health protocol"
                  + " (grpc.health.v1.Health): ");
      ProbeResult refused = run(grpc(closedPort(), null), plain());
      assertThat(refused.outcome()).isEqualTo(Outcome.FAILURE);
      assertThat(refused.output())
          .startsWith("error: health rpc probe failed: rpc error: code = Unavailable desc = ");
    } finally {
      server.shutdownNow();
      bare.shutdownNow();
    }
  }

  static Probe grpc(int port, String service) {
    return new ProbeBuilder()
        .withNewGrpc()
        .withPort(port)
        .withService(service)
        .endGrpc()
        .withTimeoutSeconds(5)
        .build();
  }

  @Test
  void goWording() {
    assertThat(Prober.goQuote("sh -c \"x\"")).isEqualTo("\"sh -c \\\"x\\\"\"");
    assertThat(Prober.goDuration(java.time.Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(GrpcErrors.codeName(Status.Code.DEADLINE_EXCEEDED)).isEqualTo("DeadlineExceeded");
    assertThat(GrpcErrors.codeName(Status.Code.CANCELLED)).isEqualTo("Canceled");
    assertThat(NetErrors.joinHostPort("fd00::1", 80)).isEqualTo("[fd00::1]:80");
    assertThat(List.of(Prober.combined("a".getBytes(), "b".getBytes()))).containsExactly("ab");
  }
}
