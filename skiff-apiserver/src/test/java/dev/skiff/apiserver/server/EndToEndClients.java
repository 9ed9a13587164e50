package dev.skiff.apiserver.server;

import dev.skiff.apiserver.pki.ClusterPki;
import java.net.http.HttpClient;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** JDK HTTP clients that trust the cluster CA, with or without the admin certificate. */
final class EndToEndClients {
  private EndToEndClients() {}

  static SSLContext sslContext(ClusterPki pki, boolean withAdminCertificate) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", pki.caCertificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withAdminCertificate) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "admin",
          pki.adminCertificate().privateKey(),
          new char[0],
          new Certificate[] {pki.adminCertificate().certificate(), pki.caCertificate()});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  static HttpClient client(ClusterPki pki, HttpClient.Version version, boolean admin)
      throws Exception {
    return HttpClient.newBuilder()
        .version(version)
        .sslContext(sslContext(pki, admin))
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }
}
