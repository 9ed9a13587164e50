package dev.skiff.apiserver.encryption;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The providers of one resource in the order the configuration lists them (Kubernetes'
 * prefixTransformers): the first writes; a stored value is read by the AES-GCM key whose prefix it
 * carries, or as plaintext when identity is configured and no key prefix matches. A value read by
 * anything but the first provider is stale.
 */
final class ProviderChain implements ValueTransformer {
  private static final byte[] ENCRYPTED = "k8s:enc:".getBytes(StandardCharsets.UTF_8);

  private final List<AesGcmTransformer> keys;
  private final boolean identity;
  private final boolean identityFirst;

  /**
   * @param keys the AES-GCM keys in order
   * @param identity whether plaintext values are readable
   * @param identityFirst whether plaintext is what is written (encryption being turned off)
   */
  ProviderChain(List<AesGcmTransformer> keys, boolean identity, boolean identityFirst) {
    if (keys.isEmpty() && !identity) {
      throw new IllegalArgumentException("an encryption configuration needs a provider");
    }
    this.keys = List.copyOf(keys);
    this.identity = identity;
    this.identityFirst = identityFirst || keys.isEmpty();
  }

  @Override
  public byte[] toStorage(byte[] value, String key) {
    return identityFirst ? value : keys.get(0).toStorage(value, key);
  }

  @Override
  public Read fromStorage(byte[] stored, String key) {
    for (int i = 0; i < keys.size(); i++) {
      AesGcmTransformer candidate = keys.get(i);
      if (candidate.wrote(stored)) {
        Read read = candidate.fromStorage(stored, key);
        return new Read(read.value(), identityFirst || i > 0);
      }
    }
    if (!identity || startsWith(stored, ENCRYPTED)) {
      throw new IllegalStateException("no configured key can read the stored value");
    }
    return new Read(stored, !identityFirst);
  }

  private static boolean startsWith(byte[] value, byte[] prefix) {
    return value.length >= prefix.length
        && Arrays.equals(value, 0, prefix.length, prefix, 0, prefix.length);
  }
}
