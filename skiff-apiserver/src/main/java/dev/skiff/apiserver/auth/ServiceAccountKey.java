package dev.skiff.apiserver.auth;

import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.skiff.apiserver.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * The RSA key that signs service-account tokens, kept in {@code <data-dir>/tls/service-account.key}
 * (created on first start, reused after). Its key id is, as in Kubernetes, the unpadded base64url
 * SHA-256 of the DER public key.
 */
public final class ServiceAccountKey {
  public static final String FILE = "service-account.key";

  private final RSAKey jwk;

  private ServiceAccountKey(RSAPrivateCrtKey privateKey, RSAPublicKey publicKey) {
    this.jwk =
        new RSAKey.Builder(publicKey)
            .privateKey(privateKey)
            .keyUse(KeyUse.SIGNATURE)
            .algorithm(com.nimbusds.jose.JWSAlgorithm.RS256)
            .keyID(keyId(publicKey))
            .build();
  }

  public static ServiceAccountKey loadOrCreate(Path tlsDirectory) {
    Path file = tlsDirectory.resolve(FILE);
    try {
      RSAPrivateCrtKey privateKey;
      if (Files.exists(file)) {
        privateKey = (RSAPrivateCrtKey) Pem.decodePrivateKey(Files.readString(file));
      } else {
        Files.createDirectories(tlsDirectory);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        privateKey = (RSAPrivateCrtKey) pair.getPrivate();
        Pem.writeAtomically(file, Pem.encodePrivateKey(privateKey, pair.getPublic()), "rw-------");
      }
      RSAPublicKey publicKey =
          (RSAPublicKey)
              KeyFactory.getInstance("RSA")
                  .generatePublic(
                      new RSAPublicKeySpec(
                          privateKey.getModulus(), privateKey.getPublicExponent()));
      return new ServiceAccountKey(privateKey, publicKey);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | ClassCastException e) {
      throw new IllegalStateException("invalid service account key " + file + ": " + e, e);
    }
  }

  private static String keyId(RSAPublicKey publicKey) throws IllegalStateException {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  RSAKey jwk() {
    return jwk;
  }

  /** The public JWK, as /openid/v1/jwks publishes it. */
  public RSAKey publicJwk() {
    return jwk.toPublicJWK();
  }
}
