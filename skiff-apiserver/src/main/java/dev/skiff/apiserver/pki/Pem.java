package dev.skiff.apiserver.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/** PEM encoding and decoding of certificates and keys, and owner-only atomic file writes. */
public final class Pem {
  private Pem() {}

  /** Encodes a certificate (or another object BouncyCastle knows) as PEM text. */
  public static String encode(Object certificateOrKey) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificateOrKey);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Encodes an EC private key in SEC1 form ("EC PRIVATE KEY") with its curve and public key, the
   * form Go's crypto/x509 and OpenSSL read; other keys as PKCS#8 ("PRIVATE KEY").
   */
  public static String encodePrivateKey(PrivateKey key, PublicKey publicKey) {
    if (!(key instanceof ECPrivateKey ec)) {
      return encode(key);
    }
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    SubjectPublicKeyInfo publicInfo = SubjectPublicKeyInfo.getInstance(publicKey.getEncoded());
    ASN1Encodable curve = info.getPrivateKeyAlgorithm().getParameters();
    try {
      byte[] sec1 =
          new org.bouncycastle.asn1.sec.ECPrivateKey(
                  ec.getParams().getOrder().bitLength(),
                  ec.getS(),
                  publicInfo.getPublicKeyData(),
                  curve)
              .getEncoded();
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(new PemObject("EC PRIVATE KEY", sec1));
      }
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes the first certificate of a PEM text. */
  public static X509Certificate decodeCertificate(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      if (parser.readObject() instanceof X509CertificateHolder holder) {
        return new JcaX509CertificateConverter().getCertificate(holder);
      }
      throw new IllegalArgumentException("no certificate in PEM text");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("invalid certificate: " + e.getMessage(), e);
    }
  }

  /** Decodes a private key in PKCS#8 ("PRIVATE KEY"), SEC1 or PKCS#1 PEM form. */
  public static PrivateKey decodePrivateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IllegalArgumentException("no private key in PEM text");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code text} to {@code file} atomically (a sibling temporary file renamed over it) with
   * the given POSIX permissions, e.g. "rw-------".
   */
  public static void writeAtomically(Path file, String text, String permissions) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Path tmp =
          Files.createTempFile(
              dir,
              "." + file.getFileName(),
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
        try {
          Files.move(
              tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
