package dev.skiff.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.apiserver.ControlPlane;
import dev.skiff.apiserver.ControlPlaneOptions;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.assertj.core.api.Assertions;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node join over real HTTPS: the server's token file, the public CA bundle a joining node checks
 * against the token's hash, bootstrap-token authentication limited to certificate requests, and the
 * automatic approval and signing of node client certificates (and nothing else).
 */
class NodeJoinTest {
  @TempDir static Path dataDir;

  private static ControlPlane controlPlane;
  private static KubernetesClient admin;
  private static KubernetesClient bootstrapper;
  private static BootstrapToken token;

  @BeforeAll
  static void start() throws Exception {
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
                .withDisabledAdmissionPlugins("ServiceAccount"));
    admin =
        new KubernetesClientBuilder()
            .withConfig(
                Config.fromKubeconfig(Files.readString(dataDir.resolve("admin.kubeconfig"))))
            .build();
    token = BootstrapToken.parse(Files.readString(dataDir.resolve("token"))).orElseThrow();
    Config config =
        new ConfigBuilder()
            .withMasterUrl(controlPlane.url())
            .withCaCertData(
                Base64.getEncoder()
                    .encodeToString(
                        controlPlane.pki().caCertificatePem().getBytes(StandardCharsets.UTF_8)))
            .withOauthToken(token.bearer())
            .build();
    bootstrapper = new KubernetesClientBuilder().withConfig(config).build();
    // the authenticator follows the token's Secret by watch
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> bootstrapper.certificates().v1().certificateSigningRequests().list() != null);
  }

  @AfterAll
  static void stop() {
    if (bootstrapper != null) {
      bootstrapper.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void theTokenFileIsPinnedToTheCaThatCacertsServesAnonymously() throws Exception {
    assertThat(Files.readString(dataDir.resolve("token")).strip()).startsWith("K10");
    assertThat(token.caHash()).isNotNull();
    assertThat(Files.getPosixFilePermissions(dataDir.resolve("token")).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");

    HttpResponse<String> response = anonymousGet("/cacerts");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(BootstrapToken.caHash(response.body())).isEqualTo(token.caHash());
  }

  @Test
  void theSameTokenIsKeptAcrossRestartsAndAGivenOneWins(@TempDir Path other) {
    BootstrapToken first = NodeTokenFile.loadOrCreate(other, null, "ca-1");
    assertThat(NodeTokenFile.loadOrCreate(other, null, "ca-1")).isEqualTo(first);
    BootstrapToken given = NodeTokenFile.loadOrCreate(other, "abcdef.0123456789abcdef", "ca-1");
    assertThat(given.bearer()).isEqualTo("abcdef.0123456789abcdef");
    assertThat(given.caHash()).isEqualTo(BootstrapToken.caHash("ca-1"));
    Assertions.assertThatThrownBy(() -> NodeTokenFile.loadOrCreate(other, "not-a-token", "ca-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--token must look like");
  }

  @Test
  void aBootstrapTokenMayOnlyAskForCertificates() {
    Assertions.assertThatThrownBy(() -> bootstrapper.pods().inNamespace("default").list())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThat(bootstrapper.certificates().v1().certificateSigningRequests().list().getItems())
        .isNotNull();
  }

  @Test
  void aWrongSecretIsUnauthorized() {
    Config config =
        new ConfigBuilder(bootstrapper.getConfiguration())
            .withOauthToken(token.id() + ".0000000000000000")
            .build();
    try (KubernetesClient wrong = new KubernetesClientBuilder().withConfig(config).build()) {
      Assertions.assertThatThrownBy(
              () -> wrong.certificates().v1().certificateSigningRequests().list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(401));
    }
  }

  @Test
  void aNodeClientRequestIsApprovedAndSigned() throws Exception {
    String name = "node-csr-join";
    bootstrapper
        .certificates()
        .v1()
        .certificateSigningRequests()
        .resource(request(name, "CN=system:node:worker-1, O=system:nodes"))
        .create();

    CertificateSigningRequest signed =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> admin.certificates().v1().certificateSigningRequests().withName(name).get(),
                csr -> csr.getStatus() != null && csr.getStatus().getCertificate() != null);
    assertThat(signed.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Approved");
              assertThat(c.getReason()).isEqualTo("AutoApproved");
              assertThat(c.getMessage()).isEqualTo(NodeCsrApprover.MESSAGE);
            });
    assertThat(signed.getSpec().getUsername()).isEqualTo("system:bootstrap:" + token.id());
  }

  @Test
  void aRequestForAnotherIdentityWaitsForAnAdministrator() throws Exception {
    String name = "node-csr-not-a-node";
    bootstrapper
        .certificates()
        .v1()
        .certificateSigningRequests()
        .resource(request(name, "CN=system:node:worker-2, O=system:masters"))
        .create();
    // a node request made afterwards is approved: by then the approver has seen the first one
    String later = "node-csr-after";
    bootstrapper
        .certificates()
        .v1()
        .certificateSigningRequests()
        .resource(request(later, "CN=system:node:worker-3, O=system:nodes"))
        .create();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> admin.certificates().v1().certificateSigningRequests().withName(later).get(),
            csr -> csr.getStatus() != null && csr.getStatus().getCertificate() != null);

    CertificateSigningRequest untouched =
        admin.certificates().v1().certificateSigningRequests().withName(name).get();
    assertThat(untouched.getStatus() == null ? List.of() : untouched.getStatus().getConditions())
        .isEmpty();
  }

  private static CertificateSigningRequest request(String name, String subject) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    var csr =
        new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    StringWriter pem = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
      writer.writeObject(csr);
    }
    return new CertificateSigningRequestBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withSignerName("kubernetes.io/kube-apiserver-client-kubelet")
        .withUsages("digital signature", "client auth")
        .withRequest(
            Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.UTF_8)))
        .endSpec()
        .build();
  }

  private static HttpResponse<String> anonymousGet(String path) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", controlPlane.pki().caCertificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .sslContext(ssl)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create(controlPlane.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
