package dev.skiff.apiserver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.pki.ClusterPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API server's client certificate toward kubelets, kept with the other PKI files. */
class KubeletClientIdentityTest {
  @TempDir Path dataDir;

  @Test
  void isSignedByTheClusterCaForKubeApiserverKubeletClientInSystemMastersAndSurvivesRestarts()
      throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dataDir, List.of());
    X509Certificate certificate = pki.kubeletClientCertificate().certificate();

    certificate.verify(pki.caCertificate().getPublicKey());
    assertThat(certificate.getSubjectX500Principal().getName())
        .contains("CN=kube-apiserver-kubelet-client")
        .contains("O=system:masters");
    assertThat(certificate.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.2");
    assertThat(dataDir.resolve("tls/apiserver-kubelet-client.crt")).exists();
    assertThat(Files.readString(dataDir.resolve("tls/apiserver-kubelet-client.key")))
        .contains("PRIVATE KEY");

    ClusterPki reloaded = ClusterPki.loadOrCreate(dataDir, List.of());
    assertThat(reloaded.kubeletClientCertificate().certificate()).isEqualTo(certificate);
  }

  @Test
  void buildsTlsContextsForBothClients() throws Exception {
    KubeletTls tls = KubeletTls.from(ClusterPki.loadOrCreate(dataDir, List.of()));

    assertThat(tls.jdk().getProtocol()).isEqualTo("TLS");
    assertThat(tls.netty().isClient()).isTrue();
  }
}
