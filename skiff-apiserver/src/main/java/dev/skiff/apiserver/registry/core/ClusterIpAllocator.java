package dev.skiff.apiserver.registry.core;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Hands out service cluster IPs from an IPv4 CIDR in order, skipping the network address and the
 * IPs existing services hold. The first host address goes to the first service (the "kubernetes"
 * service, by convention).
 */
public final class ClusterIpAllocator {
  private final long base;
  private final long size;
  private final Supplier<Set<String>> inUse;
  private final Set<String> handedOut = new HashSet<>();
  private final Set<String> unclaimed = new HashSet<>();
  private long next = 1;

  /**
   * @param cidr e.g. "10.43.0.0/16"
   * @param inUse the cluster IPs of the stored services
   */
  public ClusterIpAllocator(String cidr, Supplier<Set<String>> inUse) {
    String[] parts = cidr.split("/");
    long address = 0;
    for (String octet : parts[0].split("\\.")) {
      address = (address << 8) | Integer.parseInt(octet);
    }
    int bits = Integer.parseInt(parts[1]);
    this.size = 1L << (32 - bits);
    this.base = address & ~(size - 1);
    this.inUse = inUse;
  }

  /** The next free IP; throws IllegalStateException when the range is full. */
  public synchronized String allocate() {
    Set<String> used = inUse.get();
    for (long tried = 0; tried < size - 2; tried++) {
      String candidate = format(base + next);
      next = next + 1 >= size - 1 ? 1 : next + 1;
      if (!used.contains(candidate) && handedOut.add(candidate)) {
        unclaimed.add(candidate);
        return candidate;
      }
    }
    throw new IllegalStateException("range is full");
  }

  /** The CIDR this allocator serves, e.g. "10.43.0.0/16". */
  public String range() {
    return format(base) + "/" + (32 - Long.numberOfTrailingZeros(size));
  }

  /** Whether {@code ip} is a host address of the range. */
  public boolean contains(String ip) {
    String[] octets = ip.split("\\.");
    if (octets.length != 4) {
      return false;
    }
    long address = 0;
    try {
      for (String octet : octets) {
        int value = Integer.parseInt(octet);
        if (value < 0 || value > 255) {
          return false;
        }
        address = (address << 8) | value;
      }
    } catch (NumberFormatException e) {
      return false;
    }
    return address > base && address < base + size - 1;
  }

  /**
   * Claims an IP for a new service: one {@link #allocate} just returned, or one the client chose,
   * which must not be held by a stored service or an earlier claim.
   */
  public synchronized boolean claim(String ip) {
    if (unclaimed.remove(ip)) {
      return true;
    }
    return !inUse.get().contains(ip) && handedOut.add(ip);
  }

  private static String format(long address) {
    return ((address >> 24) & 255)
        + "."
        + ((address >> 16) & 255)
        + "."
        + ((address >> 8) & 255)
        + "."
        + (address & 255);
  }
}
