package dev.skiff.apiserver.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/** A certificate together with its private key. */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey) {

  /** The certificate as PEM ("CERTIFICATE"). */
  public String certificatePem() {
    return Pem.encode(certificate);
  }

  /** The private key as PEM. */
  public String privateKeyPem() {
    return Pem.encodePrivateKey(privateKey, certificate.getPublicKey());
  }
}
