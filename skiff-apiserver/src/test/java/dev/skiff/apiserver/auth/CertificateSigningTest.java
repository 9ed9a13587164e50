package dev.skiff.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.AdminControlPlane;
import dev.skiff.apiserver.pki.Pem;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.awaitility.Awaitility;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CertificateSigningRequests with {@code kubectl certificate approve|deny} and the signers. */
class CertificateSigningTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static CertificateSigningRequest csr(String name, String subject, String signer)
      throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    KeyPair keys = generator.generateKeyPair();
    var request =
        new JcaPKCS10CertificationRequestBuilder(new X500Principal(subject), keys.getPublic())
            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
    String pem = Pem.encode(request);
    return cluster
        .admin()
        .certificates()
        .v1()
        .certificateSigningRequests()
        .resource(
            new CertificateSigningRequestBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withRequest(
                    Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8)))
                .withSignerName(signer)
                .withExpirationSeconds(3600)
                .withUsages("client auth")
                .endSpec()
                .build())
        .create();
  }

  private static String kubectl(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "kubectl",
                "--kubeconfig",
                cluster.dataDir().resolve("admin.kubeconfig").toString()));
    command.addAll(List.of(args));
    Path err = Files.createTempFile(cluster.dataDir(), "kubectl", ".err");
    Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(err)).isZero();
    return out;
  }

  @Test
  void approvedRequestsAreSignedByTheClusterCa() throws Exception {
    csr("alice", "CN=alice,O=devs", "kubernetes.io/kube-apiserver-client");
    assertThat(kubectl("certificate", "approve", "alice")).contains("approved");
    CertificateSigningRequest signed =
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    cluster
                        .admin()
                        .certificates()
                        .v1()
                        .certificateSigningRequests()
                        .withName("alice")
                        .get(),
                c -> c.getStatus() != null && c.getStatus().getCertificate() != null);
    assertThat(signed.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getType()).isEqualTo("Approved"));
    X509Certificate certificate =
        Pem.decodeCertificate(
            new String(
                Base64.getDecoder().decode(signed.getStatus().getCertificate()),
                StandardCharsets.UTF_8));
    assertThat(certificate.getSubjectX500Principal().getName())
        .contains("CN=alice")
        .contains("O=devs");
    certificate.verify(cluster.controlPlane().pki().caCertificate().getPublicKey());
    assertThat(
            Duration.between(
                certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()))
        .isLessThanOrEqualTo(Duration.ofHours(1).plusMinutes(10));
  }

  @Test
  void deniedRequestsAreNotSigned() throws Exception {
    csr("bob", "CN=bob", "kubernetes.io/kube-apiserver-client");
    assertThat(kubectl("certificate", "deny", "bob")).contains("denied");
    CertificateSigningRequest denied =
        cluster.admin().certificates().v1().certificateSigningRequests().withName("bob").get();
    assertThat(denied.getStatus().getConditions())
        .singleElement()
        .satisfies(c -> assertThat(c.getType()).isEqualTo("Denied"));
    assertThat(kubectl("get", "csr", "bob")).contains("Denied");
    assertThat(denied.getStatus().getCertificate()).isNull();
  }

  @Test
  void kubeletSignerRequiresANodeSubject() throws Exception {
    csr("not-a-node", "CN=mallory,O=system:nodes", "kubernetes.io/kube-apiserver-client-kubelet");
    kubectl("certificate", "approve", "not-a-node");
    CertificateSigningRequest failed =
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    cluster
                        .admin()
                        .certificates()
                        .v1()
                        .certificateSigningRequests()
                        .withName("not-a-node")
                        .get(),
                c ->
                    c.getStatus().getConditions().stream()
                        .anyMatch(x -> x.getType().equals("Failed")));
    assertThat(failed.getStatus().getCertificate()).isNull();
  }
}
