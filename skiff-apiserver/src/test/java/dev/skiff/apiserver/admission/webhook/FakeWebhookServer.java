package dev.skiff.apiserver.admission.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.skiff.api.Json;
import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.IssuedCertificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real HTTPS admission webhook for tests (the JDK's HttpsServer on 127.0.0.1), serving a
 * certificate from a test CA; each path answers with the response a function computes from the
 * AdmissionReview request, and every review received is recorded by path.
 */
final class FakeWebhookServer implements AutoCloseable {
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Function<JsonNode, ObjectNode>> answers = new ConcurrentHashMap<>();
  private final Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();
  private final String caBundle;

  /**
   * @param sans the DNS names and IP addresses of the serving certificate
   */
  FakeWebhookServer(ClusterPki pki, List<String> sans)
      throws IOException, GeneralSecurityException {
    IssuedCertificate serving = pki.issueServingCertificate("webhook", sans);
    char[] password = "test".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "webhook",
        serving.privateKey(),
        password,
        new Certificate[] {serving.certificate(), pki.caCertificate()});
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keys, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keyManagers.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    caBundle =
        Base64.getEncoder().encodeToString(pki.caCertificatePem().getBytes(StandardCharsets.UTF_8));
  }

  /** The base64 PEM of the CA that signed the serving certificate, for clientConfig.caBundle. */
  String caBundle() {
    return caBundle;
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url(String path) {
    return "https://127.0.0.1:" + port() + path;
  }

  /** Answers requests to {@code path} with the {@code response} {@code answer} computes. */
  void answer(String path, Function<JsonNode, ObjectNode> answer) {
    answers.put(path, answer);
  }

  /** The AdmissionReview requests received on {@code path}, oldest first. */
  List<JsonNode> received(String path) {
    return List.copyOf(received.getOrDefault(path, List.of()));
  }

  /** An allowing response to {@code request}. */
  static ObjectNode allow(JsonNode request) {
    ObjectNode response = Json.object();
    response.put("uid", request.path("uid").asString());
    response.put("allowed", true);
    return response;
  }

  /** A refusing response to {@code request} with {@code status} as response.status. */
  static ObjectNode deny(JsonNode request, ObjectNode status) {
    ObjectNode response = Json.object();
    response.put("uid", request.path("uid").asString());
    response.put("allowed", false);
    response.set("status", status);
    return response;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      JsonNode review = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
      received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(review);
      Function<JsonNode, ObjectNode> answer = answers.get(path);
      if (answer == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      ObjectNode out = Json.object();
      out.put("apiVersion", "admission.k8s.io/v1");
      out.put("kind", "AdmissionReview");
      out.set("response", answer.apply(review.path("request")));
      byte[] body = Json.bytes(out);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
