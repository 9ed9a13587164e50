package dev.skiff.apiserver.encryption;

/**
 * Turns a value into the bytes the store keeps and back (Kubernetes' value.Transformer). The store
 * key is bound to the value (authenticated data for ciphers), so stored bytes copied under another
 * key do not read back.
 */
public interface ValueTransformer {

  /** What the store keeps for {@code value} under {@code key}. */
  byte[] toStorage(byte[] value, String key);

  /**
   * The value behind stored bytes; throws {@link IllegalStateException} when they cannot be read
   * (unknown key, tampered with).
   */
  Read fromStorage(byte[] stored, String key);

  /**
   * A value read back.
   *
   * @param stale whether it was not written the way {@link #toStorage} writes now (an older key, or
   *     plaintext), so that it should be rewritten
   */
  record Read(byte[] value, boolean stale) {}
}
