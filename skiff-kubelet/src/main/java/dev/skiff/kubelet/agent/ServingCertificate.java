package dev.skiff.kubelet.agent;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The kubelet's HTTPS identity on port 10250: like the kubelet without a serving-certificate
 * signer, a self-signed certificate for the node's name and addresses, kept in {@code
 * <agent-dir>/serving-kubelet.crt|.key} and made again when it nears expiry or the names change.
 * The API server does not verify it (as Kubernetes without --kubelet-certificate-authority).
 */
public record ServingCertificate(String certificatePem, String keyPem) {
  static final String CERT_FILE = "serving-kubelet.crt";
  static final String KEY_FILE = "serving-kubelet.key";
  private static final Duration VALIDITY = Duration.ofDays(365);

  /** Loads the node's serving certificate, or makes one for these names. */
  public static ServingCertificate loadOrCreate(Path agentDir, String nodeName, List<String> ips) {
    Path cert = agentDir.resolve(CERT_FILE);
    Path key = agentDir.resolve(KEY_FILE);
    try {
      if (Files.exists(cert) && Files.exists(key)) {
        String pem = Files.readString(cert);
        X509Certificate parsed =
            (X509Certificate)
                java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(
                        new java.io.ByteArrayInputStream(
                            pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        if (parsed.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)))
            && names(parsed).containsAll(wanted(nodeName, ips))) {
          return new ServingCertificate(pem, Files.readString(key));
        }
      }
      ServingCertificate made = selfSigned(nodeName, ips);
      Files.createDirectories(agentDir);
      Files.writeString(cert, made.certificatePem());
      Files.writeString(key, made.keyPem());
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      return made;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot keep the kubelet serving certificate in " + agentDir, e);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> wanted(String nodeName, List<String> ips) {
    List<String> names = new ArrayList<>(List.of(nodeName, "localhost", "127.0.0.1"));
    names.addAll(ips);
    return names;
  }

  private static List<String> names(X509Certificate certificate)
      throws java.security.cert.CertificateParsingException {
    List<String> names = new ArrayList<>();
    if (certificate.getSubjectAlternativeNames() != null) {
      certificate.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
    }
    return names;
  }

  public static ServingCertificate selfSigned(String nodeName, List<String> ips) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      KeyPair keys = generator.generateKeyPair();
      X500Name subject = new X500Name("CN=" + nodeName + "@" + Instant.now().getEpochSecond());
      Instant now = Instant.now();
      List<GeneralName> sans = new ArrayList<>();
      sans.add(new GeneralName(GeneralName.dNSName, nodeName));
      sans.add(new GeneralName(GeneralName.dNSName, "localhost"));
      sans.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
      for (String ip : ips) {
        sans.add(new GeneralName(GeneralName.iPAddress, ip));
      }
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(63, new SecureRandom()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(VALIDITY)),
              subject,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(sans.toArray(GeneralName[]::new)));
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(
                  builder.build(
                      new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
      return new ServingCertificate(
          pem(certificate), pem(new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the kubelet serving certificate: " + e, e);
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }
}
