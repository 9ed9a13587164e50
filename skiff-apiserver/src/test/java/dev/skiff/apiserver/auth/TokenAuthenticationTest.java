package dev.skiff.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Bearer-token authentication over real HTTPS: static token file, service-account tokens from
 * TokenRequest ({@code kubectl create token}), and every kind of bad token answered with a bare
 * 401; issuer discovery documents.
 */
class TokenAuthenticationTest {
  @TempDir static Path dataDir;
  @TempDir static Path otherDir;

  private static ControlPlane controlPlane;
  private static KubernetesClient admin;
  private static HttpClient http;

  record Reply(int code, JsonNode body) {}

  @BeforeAll
  static void start() throws Exception {
    Path tokens = dataDir.resolve("tokens.csv");
    Files.writeString(
        tokens,
        """
        # token,user,uid,"groups"
        s3cr3t-admin,alice,1001,"ops,system:masters"
        s3cr3t-plain,bob,1002
        """);
    controlPlane =
        ControlPlane.start(
            new ControlPlaneOptions(
                    dataDir,
                    "127.0.0.1",
                    0,
                    "memory://",
                    null,
                    null,
                    null,
                    List.of(),
                    dataDir.resolve("admin.kubeconfig"))
                .withTokenAuthFile(tokens)
                .withDisabledAdmissionPlugins("ServiceAccount"));
    admin =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
            .build();
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", controlPlane.pki().caCertificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ssl).build();
    admin
        .serviceAccounts()
        .inNamespace("default")
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("builder").endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  static Reply get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(controlPlane.url() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Reply(response.statusCode(), Json.MAPPER.readTree(response.body()));
  }

  static String whoami(String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    controlPlane.url() + "/apis/authentication.k8s.io/v1/selfsubjectreviews"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}"))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return Json.MAPPER
        .readTree(response.body())
        .path("status")
        .path("userInfo")
        .path("username")
        .asString();
  }

  private static void assertUnauthorized(String token) throws Exception {
    Reply reply = get("/api/v1/namespaces/default/pods", token);
    assertThat(reply.code()).isEqualTo(401);
    assertThat(reply.body().path("message").asString()).isEqualTo("Unauthorized");
    assertThat(reply.body().path("reason").asString()).isEqualTo("Unauthorized");
    assertThat(reply.body().has("details")).isFalse();
  }

  private static String kubectlCreateToken(String... extra) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "kubectl",
                "--kubeconfig",
                dataDir.resolve("admin.kubeconfig").toString(),
                "create",
                "token",
                "builder",
                "-n",
                "default"));
    command.addAll(List.of(extra));
    Process process =
        new ProcessBuilder(command).redirectError(dataDir.resolve("kubectl.err").toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(dataDir.resolve("kubectl.err"))).isZero();
    return out;
  }

  @Test
  void staticTokensFromTheTokenFile() throws Exception {
    assertThat(get("/api/v1/namespaces/default/pods", "s3cr3t-admin").code()).isEqualTo(200);
    assertThat(whoami("s3cr3t-admin")).isEqualTo("alice");
    Reply bob = get("/api/v1/namespaces/default/pods", "s3cr3t-plain");
    assertThat(bob.code()).isEqualTo(403);
    assertThat(bob.body().path("message").asString()).contains("User \"bob\" cannot list");
    assertUnauthorized("s3cr3t-wrong");
  }

  @Test
  void kubectlCreateTokenGivesAServiceAccountToken() throws Exception {
    String token = kubectlCreateToken("--duration=20m");
    assertThat(token.split("\\.")).hasSize(3);
    assertThat(whoami(token)).isEqualTo("system:serviceaccount:default:builder");
    // the service account has no role: authorization still applies
    assertThat(get("/api/v1/namespaces/default/pods", token).code()).isEqualTo(403);
    // the token verifies against the published key set
    Reply config = get("/.well-known/openid-configuration", token);
    assertThat(config.code()).isEqualTo(200);
    assertThat(config.body().path("issuer").asString())
        .isEqualTo(ServiceAccountTokens.DEFAULT_ISSUER);
    assertThat(config.body().path("jwks_uri").asString()).endsWith("/openid/v1/jwks");
    Reply jwks = get("/openid/v1/jwks", token);
    String kid = com.nimbusds.jwt.SignedJWT.parse(token).getHeader().getKeyID();
    assertThat(jwks.body().path("keys").get(0).path("kid").asString()).isEqualTo(kid);
    assertThat(jwks.body().path("keys").get(0).has("d")).isFalse();
  }

  @Test
  void badTokensGetA401WithoutDetail() throws Exception {
    ServiceAccountTokens tokens = controlPlane.security().serviceAccountTokens();
    String uid =
        admin
            .serviceAccounts()
            .inNamespace("default")
            .withName("builder")
            .get()
            .getMetadata()
            .getUid();
    assertUnauthorized("not-a-jwt");
    assertUnauthorized("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    // expired
    assertUnauthorized(
        tokens.issue(
            "default",
            "builder",
            uid,
            List.of(tokens.issuer()),
            Instant.now().minusSeconds(3600),
            "",
            "",
            ""));
    // wrong audience
    assertUnauthorized(kubectlCreateToken("--audience=vault"));
    // forged: same claims, another key
    ServiceAccountTokens forger =
        new ServiceAccountTokens(
            ServiceAccountKey.loadOrCreate(otherDir),
            tokens.issuer(),
            tokens.apiAudiences(),
            InstantSource.system());
    assertUnauthorized(
        forger.issue(
            "default",
            "builder",
            uid,
            List.of(tokens.issuer()),
            Instant.now().plusSeconds(3600),
            "",
            "",
            ""));
    // a token for a service account uid that does not exist
    assertUnauthorized(
        tokens.issue(
            "default",
            "builder",
            "other-uid",
            List.of(tokens.issuer()),
            Instant.now().plusSeconds(3600),
            "",
            "",
            ""));
    // the good one still works
    assertThat(
            whoami(
                tokens.issue(
                    "default",
                    "builder",
                    uid,
                    List.of(tokens.issuer()),
                    Instant.now().plusSeconds(3600),
                    "",
                    "",
                    "")))
        .isEqualTo("system:serviceaccount:default:builder");
  }

  @Test
  void podBoundTokensDieWithThePod() throws Exception {
    admin
        .pods()
        .inNamespace("default")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("runner")
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName("builder")
                .addNewContainer()
                .withName("c")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .build())
        .create();
    String token = kubectlCreateToken("--bound-object-kind=Pod", "--bound-object-name=runner");
    assertThat(controlPlane.security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
    assertThat(whoami(token)).isEqualTo("system:serviceaccount:default:builder");
    admin.pods().inNamespace("default").withName("runner").withGracePeriod(0).delete();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertUnauthorized(token));
  }

  @Test
  void legacySecretTokensAreFilledAndRevokedWithTheSecret() throws Exception {
    admin
        .serviceAccounts()
        .inNamespace("default")
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("legacy").endMetadata().build())
        .create();
    admin
        .secrets()
        .inNamespace("default")
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("legacy-token")
                .addToAnnotations("kubernetes.io/service-account.name", "legacy")
                .endMetadata()
                .withType("kubernetes.io/service-account-token")
                .build())
        .create();
    var secret =
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> admin.secrets().inNamespace("default").withName("legacy-token").get(),
                s -> s.getData() != null && s.getData().containsKey("token"));
    assertThat(secret.getData()).containsKeys("ca.crt", "namespace");
    assertThat(secret.getMetadata().getAnnotations())
        .containsEntry(
            "kubernetes.io/service-account.uid",
            admin
                .serviceAccounts()
                .inNamespace("default")
                .withName("legacy")
                .get()
                .getMetadata()
                .getUid());
    String token =
        new String(
            java.util.Base64.getDecoder().decode(secret.getData().get("token")),
            StandardCharsets.UTF_8);
    assertThat(controlPlane.security().awaitCurrent(Duration.ofSeconds(10))).isTrue();
    assertThat(whoami(token)).isEqualTo("system:serviceaccount:default:legacy");
    admin.secrets().inNamespace("default").withName("legacy-token").delete();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertUnauthorized(token));
  }
}
