package dev.skiff.apiserver.server;

import dev.skiff.apiserver.pki.ClusterPki;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The server's TLS identity and the CAs whose client certificates it accepts.
 *
 * @param servingKey the private key of the serving certificate
 * @param servingChain the serving certificate first, then its issuers
 * @param clientCas CAs that sign client certificates (x509 authentication)
 */
public record ServerTls(
    PrivateKey servingKey, List<X509Certificate> servingChain, List<X509Certificate> clientCas) {
  public ServerTls {
    servingChain = List.copyOf(servingChain);
    clientCas = List.copyOf(clientCas);
    if (servingChain.isEmpty()) {
      throw new IllegalArgumentException("servingChain must hold the serving certificate");
    }
  }

  /** The client CAs as one PEM bundle, as {@code /cacerts} serves it. */
  public String caBundlePem() {
    StringBuilder bundle = new StringBuilder();
    clientCas.forEach(ca -> bundle.append(dev.skiff.apiserver.pki.Pem.encode(ca)));
    return bundle.toString();
  }

  /** Serves the cluster PKI's serving certificate and trusts its CA for client certificates. */
  public static ServerTls fromPki(ClusterPki pki) {
    return new ServerTls(
        pki.servingCertificate().privateKey(),
        List.of(pki.servingCertificate().certificate(), pki.caCertificate()),
        List.of(pki.caCertificate()));
  }
}
