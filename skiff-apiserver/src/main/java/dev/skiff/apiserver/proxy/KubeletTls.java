package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.pki.ClusterPki;
import dev.skiff.apiserver.pki.IssuedCertificate;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The API server's TLS toward kubelets: it presents {@link ClusterPki#kubeletClientCertificate()}
 * and checks serving certificates with {@link CaOrAnyTrustManager}. The same identity is used for
 * the JDK HTTP client (plain requests) and for Netty (protocol switches).
 *
 * @param jdk for {@link java.net.http.HttpClient}
 * @param netty for Netty client channels
 */
record KubeletTls(SSLContext jdk, SslContext netty) {

  static KubeletTls from(ClusterPki pki) {
    return build(pki, true);
  }

  /** The same identity, not verifying the kubelet at all ({@code insecureSkipTLSVerifyBackend}). */
  static KubeletTls insecure(ClusterPki pki) {
    return build(pki, false);
  }

  private static KubeletTls build(ClusterPki pki, boolean verify) {
    IssuedCertificate identity = pki.kubeletClientCertificate();
    X509Certificate ca = pki.caCertificate();
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = new char[0];
      keys.setKeyEntry(
          "kubelet-client",
          identity.privateKey(),
          password,
          new Certificate[] {identity.certificate(), ca});
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, password);
      CaOrAnyTrustManager trust = new CaOrAnyTrustManager(ca, verify);
      SSLContext jdk = SSLContext.getInstance("TLS");
      jdk.init(
          keyManagers.getKeyManagers(),
          new javax.net.ssl.TrustManager[] {trust},
          new SecureRandom());
      SslContext netty =
          SslContextBuilder.forClient().keyManager(keyManagers).trustManager(trust).build();
      return new KubeletTls(jdk, netty);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS toward kubelets: " + e.getMessage(), e);
    }
  }
}
