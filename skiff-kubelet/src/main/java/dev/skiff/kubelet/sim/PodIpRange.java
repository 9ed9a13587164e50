package dev.skiff.kubelet.sim;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out pod IPs from one node's IPv4 range, lowest free address first, skipping the network and
 * broadcast addresses; an address is reused once its pod is gone.
 */
final class PodIpRange {
  private final String cidr;
  private final long base;
  private final int size;
  private final BitSet used = new BitSet();
  private final Map<String, Integer> byOwner = new HashMap<>();

  PodIpRange(String cidr) {
    this.cidr = cidr;
    String[] parts = cidr.split("/", 2);
    int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
    if (prefix < 8 || prefix > 30) {
      throw new IllegalArgumentException("pod CIDR " + cidr + ": prefix must be /8 to /30");
    }
    long address = toLong(parts[0]);
    long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    this.base = address & mask;
    this.size = 1 << (32 - prefix);
  }

  /** The fallback range of simulated node {@code index}: 10.128.0.0/9 cut into /24s. */
  static String defaultCidrFor(int index) {
    int slot = Math.floorMod(index, 128 * 256);
    return "10." + (128 + slot / 256) + "." + (slot % 256) + ".0/24";
  }

  String cidr() {
    return cidr;
  }

  /** The address of {@code owner} (allocated on first call), or null when the range is full. */
  synchronized String allocate(String owner) {
    Integer existing = byOwner.get(owner);
    if (existing != null) {
      return toString(base + existing);
    }
    int offset = used.nextClearBit(1);
    if (offset >= size - 1) {
      return null;
    }
    used.set(offset);
    byOwner.put(owner, offset);
    return toString(base + offset);
  }

  /** Marks {@code ip} as held by {@code owner} (a pod adopted after a restart). */
  synchronized void claim(String owner, String ip) {
    long offset;
    try {
      offset = toLong(ip) - base;
    } catch (IllegalArgumentException e) {
      return;
    }
    if (offset > 0 && offset < size - 1 && !byOwner.containsKey(owner)) {
      used.set((int) offset);
      byOwner.put(owner, (int) offset);
    }
  }

  synchronized void release(String owner) {
    Integer offset = byOwner.remove(owner);
    if (offset != null) {
      used.clear(offset);
    }
  }

  synchronized int allocated() {
    return byOwner.size();
  }

  private static long toLong(String ip) {
    String[] octets = ip.trim().split("\\.");
    if (octets.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + ip);
    }
    long value = 0;
    for (String octet : octets) {
      int v = Integer.parseInt(octet);
      if (v < 0 || v > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + ip);
      }
      value = (value << 8) | v;
    }
    return value;
  }

  private static String toString(long value) {
    return ((value >> 24) & 255)
        + "."
        + ((value >> 16) & 255)
        + "."
        + ((value >> 8) & 255)
        + "."
        + (value & 255);
  }
}
