package dev.skiff.kubelet.server;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away CA with serving and client certificates for the kubelet server tests. */
final class TestPki {
  record Issued(X509Certificate certificate, PrivateKey key) {
    String certificatePem() {
      return pem(certificate);
    }

    /** PKCS#8, which carries the key's curve. */
    String keyPem() {
      return pem(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", key.getEncoded()));
    }
  }

  private final Issued ca;

  TestPki() {
    KeyPair keys = newKeys();
    X500Name name = new X500Name("CN=test-ca");
    this.ca =
        new Issued(
            sign(name, keys, name, keys.getPrivate(), true, null, List.of()), keys.getPrivate());
  }

  Issued ca() {
    return ca;
  }

  Issued serving(String... sans) {
    KeyPair keys = newKeys();
    return new Issued(
        sign(
            new X500Name("CN=kubelet"),
            keys,
            new X500Name(ca.certificate().getSubjectX500Principal().getName()),
            ca.key(),
            false,
            KeyPurposeId.id_kp_serverAuth,
            List.of(sans)),
        keys.getPrivate());
  }

  Issued client(String user, String... groups) {
    KeyPair keys = newKeys();
    X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
    for (String group : groups) {
      subject.addRDN(BCStyle.O, group);
    }
    subject.addRDN(BCStyle.CN, user);
    return new Issued(
        sign(
            subject.build(),
            keys,
            new X500Name(ca.certificate().getSubjectX500Principal().getName()),
            ca.key(),
            false,
            KeyPurposeId.id_kp_clientAuth,
            List.of()),
        keys.getPrivate());
  }

  /** A client TLS context trusting the CA, presenting {@code client} when not null. */
  SSLContext clientContext(Issued client) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (client != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "client", client.key(), new char[0], new X509Certificate[] {client.certificate()});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    return context;
  }

  private static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(
      X500Name subject,
      KeyPair keys,
      X500Name issuer,
      PrivateKey issuerKey,
      boolean isCa,
      KeyPurposeId purpose,
      List<String> sans) {
    try {
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              new BigInteger(64, new SecureRandom()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (purpose != null) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      if (!sans.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                sans.stream()
                    .map(
                        s ->
                            Character.isDigit(s.charAt(0))
                                ? new GeneralName(GeneralName.iPAddress, s)
                                : new GeneralName(GeneralName.dNSName, s))
                    .toArray(GeneralName[]::new)));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }
}
