package dev.skiff.controllers.nodeipam;

import java.util.BitSet;
import java.util.Optional;

/**
 * Cuts a cluster CIDR (IPv4) into equal node subnets, e.g. 10.42.0.0/16 into 256 /24s, and hands
 * out the lowest free one.
 */
public final class CidrAllocator {
  private final long base;
  private final int clusterPrefix;
  private final int nodePrefix;
  private final BitSet used;
  private final int count;

  public CidrAllocator(String clusterCidr, int nodePrefix) {
    String[] parts = clusterCidr.split("/");
    this.clusterPrefix = Integer.parseInt(parts[1]);
    if (nodePrefix < clusterPrefix || nodePrefix > 32) {
      throw new IllegalArgumentException(
          "node CIDR mask /" + nodePrefix + " does not fit in cluster CIDR " + clusterCidr);
    }
    long address = toLong(parts[0]);
    long mask = clusterPrefix == 0 ? 0 : (0xFFFFFFFFL << (32 - clusterPrefix)) & 0xFFFFFFFFL;
    this.base = address & mask;
    this.nodePrefix = nodePrefix;
    this.count = 1 << (nodePrefix - clusterPrefix);
    this.used = new BitSet(count);
  }

  /** Marks a subnet as taken (a node that already has it); ignores subnets outside the range. */
  public synchronized boolean occupy(String cidr) {
    Optional<Integer> index = indexOf(cidr);
    index.ifPresent(used::set);
    return index.isPresent();
  }

  public synchronized void release(String cidr) {
    indexOf(cidr).ifPresent(used::clear);
  }

  /** The lowest free subnet, now taken; empty when the range is exhausted. */
  public synchronized Optional<String> allocate() {
    int free = used.nextClearBit(0);
    if (free >= count) {
      return Optional.empty();
    }
    used.set(free);
    return Optional.of(subnet(free));
  }

  private String subnet(int index) {
    long address = base + ((long) index << (32 - nodePrefix));
    return toText(address) + "/" + nodePrefix;
  }

  private Optional<Integer> indexOf(String cidr) {
    String[] parts = cidr.split("/");
    if (parts.length != 2 || Integer.parseInt(parts[1]) != nodePrefix || parts[0].contains(":")) {
      return Optional.empty();
    }
    long address = toLong(parts[0]);
    long offset = address - base;
    if (offset < 0 || offset >= ((long) count << (32 - nodePrefix))) {
      return Optional.empty();
    }
    return Optional.of((int) (offset >> (32 - nodePrefix)));
  }

  private static long toLong(String ip) {
    String[] octets = ip.split("\\.");
    long value = 0;
    for (String octet : octets) {
      value = (value << 8) | Integer.parseInt(octet);
    }
    return value;
  }

  private static String toText(long value) {
    return ((value >> 24) & 0xFF)
        + "."
        + ((value >> 16) & 0xFF)
        + "."
        + ((value >> 8) & 0xFF)
        + "."
        + (value & 0xFF);
  }
}
