package dev.skiff.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Requests without credentials over real HTTPS, with anonymous authentication on (the default: RBAC
 * lets system:anonymous read only the health and version endpoints, everything else is 403) and off
 * ({@code --anonymous-auth=false}: 401 everywhere but the CA bundle).
 */
class AnonymousAccessTest {
  @TempDir static Path openDir;
  @TempDir static Path closedDir;

  private static ControlPlane open;
  private static ControlPlane closed;

  @BeforeAll
  static void start() {
    open = ControlPlane.start(options(openDir));
    closed = ControlPlane.start(options(closedDir).withAnonymousAuth(false));
  }

  private static ControlPlaneOptions options(Path dataDir) {
    return new ControlPlaneOptions(
            dataDir,
            "127.0.0.1",
            0,
            "memory://",
            null,
            null,
            null,
            List.of(),
            dataDir.resolve("admin.kubeconfig"))
        .withDisabledAdmissionPlugins("ServiceAccount");
  }

  @AfterAll
  static void stop() {
    if (open != null) {
      open.close();
    }
    if (closed != null) {
      closed.close();
    }
  }

  @Test
  void anonymousMayReadHealthAndVersion() throws Exception {
    for (String path : List.of("/healthz", "/livez", "/readyz", "/version", "/version/")) {
      HttpResponse<String> response = get(open, "GET", path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
    }
    assertThat(get(open, "GET", "/cacerts").body()).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void anonymousIsForbiddenElsewhere() throws Exception {
    assertForbidden(
        get(open, "GET", "/api"), "forbidden: User \"system:anonymous\" cannot get path \"/api\"");
    assertForbidden(
        get(open, "GET", "/apis"),
        "forbidden: User \"system:anonymous\" cannot get path \"/apis\"");
    assertForbidden(
        get(open, "GET", "/healthz/etcd"),
        "forbidden: User \"system:anonymous\" cannot get path \"/healthz/etcd\"");
    HttpResponse<String> pods = get(open, "GET", "/api/v1/namespaces/default/pods");
    assertForbidden(
        pods,
        "pods is forbidden: User \"system:anonymous\" cannot list resource \"pods\" in API group"
            + " \"\" in the namespace \"default\"");
    JsonNode details = Json.MAPPER.readTree(pods.body()).path("details");
    assertThat(details.path("kind").asString()).isEqualTo("pods");
    assertForbidden(
        get(open, "DELETE", "/api/v1/namespaces/default"),
        "namespaces \"default\" is forbidden: User \"system:anonymous\" cannot delete resource"
            + " \"namespaces\" in API group \"\" in the namespace \"default\"");
  }

  @Test
  void withoutAnonymousAuthEverythingButTheCaBundleIsUnauthorized() throws Exception {
    for (String path :
        List.of("/healthz", "/livez", "/readyz", "/version", "/api", "/api/v1/pods")) {
      HttpResponse<String> response = get(closed, "GET", path);
      assertThat(response.statusCode()).as(path).isEqualTo(401);
      JsonNode status = Json.MAPPER.readTree(response.body());
      assertThat(status.path("reason").asString()).isEqualTo("Unauthorized");
      assertThat(status.path("message").asString()).isEqualTo("Unauthorized");
    }
    HttpResponse<String> ca = get(closed, "GET", "/cacerts");
    assertThat(ca.statusCode()).isEqualTo(200);
    assertThat(ca.body()).isEqualTo(closed.pki().caCertificatePem());
  }

  @Test
  void impersonationNeedsCredentials() throws Exception {
    HttpResponse<String> closedReply =
        send(closed, HttpRequest.newBuilder(uri(closed, "/api")).header("Impersonate-User", "x"));
    assertThat(closedReply.statusCode()).isEqualTo(401);
    HttpResponse<String> openReply =
        send(open, HttpRequest.newBuilder(uri(open, "/api")).header("Impersonate-User", "x"));
    assertThat(openReply.statusCode()).isEqualTo(403);
    assertThat(Json.MAPPER.readTree(openReply.body()).path("message").asString())
        .contains("User \"system:anonymous\" cannot impersonate resource \"users\"");
  }

  private static void assertForbidden(HttpResponse<String> response, String message) {
    assertThat(response.statusCode()).isEqualTo(403);
    JsonNode status = Json.MAPPER.readTree(response.body());
    assertThat(status.path("kind").asString()).isEqualTo("Status");
    assertThat(status.path("reason").asString()).isEqualTo("Forbidden");
    assertThat(status.path("message").asString()).isEqualTo(message);
  }

  private static URI uri(ControlPlane plane, String path) {
    return URI.create(plane.url() + path);
  }

  private static HttpResponse<String> get(ControlPlane plane, String method, String path)
      throws Exception {
    return send(
        plane,
        HttpRequest.newBuilder(uri(plane, path))
            .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  private static HttpResponse<String> send(ControlPlane plane, HttpRequest.Builder request)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", plane.pki().caCertificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    try (HttpClient client = HttpClient.newBuilder().sslContext(ssl).build()) {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }
}
