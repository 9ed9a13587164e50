package dev.skiff.apiserver.encryption;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM with one named key, stored as Kubernetes' aesgcm provider stores it: the prefix {@code
 * k8s:enc:aesgcm:v1:<name>:}, a random 12-byte nonce, then the ciphertext with its 16-byte tag; the
 * store key is the authenticated data.
 */
final class AesGcmTransformer implements ValueTransformer {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final byte[] prefix;
  private final SecretKey key;
  private final SecureRandom random;

  AesGcmTransformer(String name, SecretKey key, SecureRandom random) {
    this.prefix = prefix(name);
    this.key = key;
    this.random = random;
  }

  static byte[] prefix(String name) {
    return ("k8s:enc:aesgcm:v1:" + name + ":").getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code stored} was written with this key. */
  boolean wrote(byte[] stored) {
    return stored.length >= prefix.length
        && Arrays.equals(stored, 0, prefix.length, prefix, 0, prefix.length);
  }

  @Override
  public byte[] toStorage(byte[] value, String storeKey) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(storeKey.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(value);
      return ByteBuffer.allocate(prefix.length + nonce.length + sealed.length)
          .put(prefix)
          .put(nonce)
          .put(sealed)
          .array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getMessage(), e);
    }
  }

  @Override
  public Read fromStorage(byte[] stored, String storeKey) {
    int start = prefix.length;
    if (stored.length < start + NONCE_BYTES + TAG_BITS / 8) {
      throw new IllegalStateException("the stored value is too short for AES-GCM");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(stored, start, start + NONCE_BYTES)));
      cipher.updateAAD(storeKey.getBytes(StandardCharsets.UTF_8));
      byte[] value =
          cipher.doFinal(stored, start + NONCE_BYTES, stored.length - start - NONCE_BYTES);
      return new Read(value, false);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed: " + e.getMessage(), e);
    }
  }
}
