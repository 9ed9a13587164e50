package dev.skiff.proxy.iptables;

import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.ServicePortName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * kube-proxy's chain names: a prefix and the first 16 characters of the base32 (RFC 4648) SHA-256
 * of the service port name, the lower-case protocol and, for endpoint chains, {@code ip:port}. The
 * same inputs give the same names as Kubernetes (e.g. {@code default/kubernetes:https} over tcp is
 * {@code KUBE-SVC-NPX46M4PTMTKRN6Y}).
 */
public final class ChainNames {
  private ChainNames() {}

  public static String service(ServicePortName name) {
    return "KUBE-SVC-" + portProtoHash(name);
  }

  public static String serviceLocal(ServicePortName name) {
    return "KUBE-SVL-" + portProtoHash(name);
  }

  public static String external(ServicePortName name) {
    return "KUBE-EXT-" + portProtoHash(name);
  }

  public static String endpoint(ServicePortName name, Endpoint endpoint) {
    return "KUBE-SEP-" + hash16(name + name.lowerProtocol() + endpoint);
  }

  /** The 16-character hash of a service port (used by the nftables mode too). */
  public static String portProtoHash(ServicePortName name) {
    return hash16(name + name.lowerProtocol());
  }

  /** The first 16 characters of the base32 SHA-256 of {@code text}. */
  public static String hash16(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return base32(digest).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // The JDK has no base32 encoder.
  private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return out.toString();
  }
}
