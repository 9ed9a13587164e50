package dev.skiff.kubelet.network;

/**
 * An IPv4 CIDR block such as {@code 10.42.0.0/16}.
 *
 * @param network the network address as an unsigned 32-bit value in an int
 * @param prefixLength 0 to 32
 */
public record Cidr(int network, int prefixLength) {

  public Cidr {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
    }
    network &= mask(prefixLength);
  }

  /** Parses {@code A.B.C.D/N}; throws {@link IllegalArgumentException} for anything else. */
  public static Cidr parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("not an IPv4 CIDR: " + text);
    }
    try {
      return new Cidr(
          parseAddress(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an IPv4 CIDR: " + text, e);
    }
  }

  /** Whether {@code text} is an IPv4 address (dotted quad). */
  public static boolean isIpv4(String text) {
    try {
      parseAddress(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public boolean contains(String address) {
    return (parseAddress(address) & mask(prefixLength)) == network;
  }

  /** The n-th address of the block ({@code 1} is the bridge gateway host-local hands out). */
  public String address(int offset) {
    return format(network + offset);
  }

  @Override
  public String toString() {
    return format(network) + "/" + prefixLength;
  }

  private static int mask(int prefixLength) {
    return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
  }

  private static int parseAddress(String text) {
    String[] parts = text == null ? new String[0] : text.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + text);
    }
    int value = 0;
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("not an IPv4 address: " + text);
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + text);
      }
      value = (value << 8) | octet;
    }
    return value;
  }

  private static String format(int value) {
    return ((value >>> 24) & 0xff)
        + "."
        + ((value >>> 16) & 0xff)
        + "."
        + ((value >>> 8) & 0xff)
        + "."
        + (value & 0xff);
  }
}
