package dev.skiff.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.List;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterPkiTest {
  @TempDir Path dataDir;

  @Test
  void createsCaServingAndAdminFilesWithOwnerOnlyKeys() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dataDir, List.of());

    Path tls = dataDir.resolve("tls");
    for (String name : List.of("ca", "serving", "admin")) {
      assertThat(tls.resolve(name + ".crt")).exists();
      assertThat(
              PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(tls.resolve(name + ".key"))))
          .isEqualTo("rw-------");
      assertThat(Files.readString(tls.resolve(name + ".crt")))
          .startsWith("-----BEGIN CERTIFICATE-----");
    }
    X509Certificate ca = pki.caCertificate();
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()))
        .isGreaterThan(Duration.ofDays(3649));
    X509Certificate serving = pki.servingCertificate().certificate();
    serving.verify(ca.getPublicKey());
    assertThat(serving.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    assertThat(
            Duration.between(serving.getNotBefore().toInstant(), serving.getNotAfter().toInstant()))
        .isBetween(Duration.ofDays(364), Duration.ofDays(366));
  }

  @Test
  void servingCertificateCoversLocalAndClusterNames() {
    ClusterPki pki = ClusterPki.loadOrCreate(dataDir, List.of("skiff.example.com", "192.0.2.7"));

    assertThat(ClusterPki.sansOf(pki.servingCertificate().certificate()))
        .contains(
            "localhost",
            "127.0.0.1",
            "0:0:0:0:0:0:0:1",
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc.cluster.local",
            "10.43.0.1",
            "skiff.example.com",
            "192.0.2.7");
  }

  @Test
  void adminCertificateIsClusterAdmin() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dataDir, List.of());

    X509Certificate admin = pki.adminCertificate().certificate();
    admin.verify(pki.caCertificate().getPublicKey());
    assertThat(rdns(admin, "CN")).containsExactly("admin");
    assertThat(rdns(admin, "O")).containsExactly("system:masters");
    assertThat(admin.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
  }

  @Test
  void restartReusesFilesAndReissuesServingOnlyForNewSans() throws Exception {
    ClusterPki first = ClusterPki.loadOrCreate(dataDir, List.of());
    ClusterPki second = ClusterPki.loadOrCreate(dataDir, List.of());

    assertThat(second.caCertificate()).isEqualTo(first.caCertificate());
    assertThat(second.servingCertificate().certificate())
        .isEqualTo(first.servingCertificate().certificate());
    assertThat(second.adminCertificate().certificate())
        .isEqualTo(first.adminCertificate().certificate());

    ClusterPki third = ClusterPki.loadOrCreate(dataDir, List.of("new.example.com"));

    assertThat(third.caCertificate()).isEqualTo(first.caCertificate());
    assertThat(third.adminCertificate().certificate())
        .isEqualTo(first.adminCertificate().certificate());
    assertThat(third.servingCertificate().certificate())
        .isNotEqualTo(first.servingCertificate().certificate());
    assertThat(ClusterPki.sansOf(third.servingCertificate().certificate()))
        .contains("new.example.com", "localhost");
  }

  @Test
  void issuesClientCertificatesWithGroups() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dataDir, List.of());

    IssuedCertificate node =
        pki.issueClientCertificate(
            "system:node:n1", List.of("system:nodes", "extra"), Duration.ofHours(2));

    node.certificate().verify(pki.caCertificate().getPublicKey());
    assertThat(rdns(node.certificate(), "CN")).containsExactly("system:node:n1");
    assertThat(rdns(node.certificate(), "O")).containsExactlyInAnyOrder("system:nodes", "extra");
    assertThat(
            Duration.between(
                node.certificate().getNotBefore().toInstant(),
                node.certificate().getNotAfter().toInstant()))
        .isLessThan(Duration.ofHours(3));
    assertThat(node.privateKeyPem()).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(((ECPrivateKey) Pem.decodePrivateKey(node.privateKeyPem())).getS())
        .isEqualTo(((ECPrivateKey) node.privateKey()).getS());
  }

  private static List<String> rdns(X509Certificate certificate, String type) throws Exception {
    return new LdapName(certificate.getSubjectX500Principal().getName())
        .getRdns().stream()
            .filter(rdn -> rdn.getType().equalsIgnoreCase(type))
            .map(Rdn::getValue)
            .map(String::valueOf)
            .toList();
  }
}
