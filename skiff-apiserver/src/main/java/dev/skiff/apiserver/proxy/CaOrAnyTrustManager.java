package dev.skiff.apiserver.proxy;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the API server checks a kubelet's serving certificate. A certificate the cluster CA signed is
 * verified fully (chain and host name). One it did not sign (a kubelet's self-signed certificate,
 * before it has one from the CA) is accepted unverified: that is what kube-apiserver does when
 * started without {@code --kubelet-certificate-authority}, its default, and the only way to reach
 * kubelets that generate their own certificate.
 */
final class CaOrAnyTrustManager extends X509ExtendedTrustManager {
  private static final Logger log = LoggerFactory.getLogger(CaOrAnyTrustManager.class);

  private final X509ExtendedTrustManager clusterCa;
  private final boolean verify;

  /**
   * @param verify false to accept every certificate, CA-signed or not (a client's {@code
   *     insecureSkipTLSVerifyBackend})
   */
  CaOrAnyTrustManager(X509Certificate ca, boolean verify) {
    this.clusterCa = trusting(ca);
    this.verify = verify;
  }

  private static X509ExtendedTrustManager trusting(X509Certificate ca) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("cluster-ca", ca);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      for (var manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new IllegalStateException("no X509 trust manager available");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot trust the cluster CA: " + e.getMessage(), e);
    }
  }

  /** True when the cluster CA signed the chain (host name not considered). */
  private boolean signedByClusterCa(X509Certificate[] chain, String authType) {
    if (!verify) {
      return false;
    }
    try {
      ((X509TrustManager) clusterCa).checkServerTrusted(chain, authType);
      return true;
    } catch (CertificateException e) {
      log.debug(
          "event=kubelet_cert_unverified subject={} reason=not_signed_by_cluster_ca",
          chain.length == 0 ? "" : chain[0].getSubjectX500Principal());
      return false;
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (signedByClusterCa(chain, authType)) {
      clusterCa.checkServerTrusted(chain, authType, engine);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (signedByClusterCa(chain, authType)) {
      clusterCa.checkServerTrusted(chain, authType, socket);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    signedByClusterCa(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted here");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
