package dev.skiff.apiserver.registry.core;

import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Hands out service cluster IPs from an IPv4 CIDR in order, skipping the network and broadcast
 * addresses, the IPs stored services hold and the IPs creates in flight hold. The first host
 * address goes to the first service (the "kubernetes" service, by convention).
 *
 * <p>What is in use is read from the stored services (the watch cache, loaded from the store when
 * the server starts, so a restart over an existing datastore knows every address) plus the {@link
 * AllocationHolds} of creates the cache does not show yet. A create's hold is owned by the new
 * object's uid and is released when the create fails or is a dry run ({@link #release}), so neither
 * consumes the address.
 */
public final class ClusterIpAllocator {
  private final long base;
  private final long size;
  private final Supplier<Set<String>> inUse;
  private final AllocationHolds<String> holds;
  private long next = 1;

  /**
   * @param cidr e.g. "10.43.0.0/16"
   * @param inUse the cluster IPs of the stored services
   * @param cacheRevision the revision {@code inUse} reflects
   */
  public ClusterIpAllocator(String cidr, Supplier<Set<String>> inUse, LongSupplier cacheRevision) {
    String[] parts = cidr.split("/");
    long address = 0;
    for (String octet : parts[0].split("\\.")) {
      address = (address << 8) | Integer.parseInt(octet);
    }
    int bits = Integer.parseInt(parts[1]);
    this.size = 1L << (32 - bits);
    this.base = address & ~(size - 1);
    this.inUse = inUse;
    this.holds = new AllocationHolds<>(cacheRevision);
  }

  /** An allocator whose committed holds never retire (for tests without a cache). */
  public ClusterIpAllocator(String cidr, Supplier<Set<String>> inUse) {
    this(cidr, inUse, () -> 0);
  }

  /**
   * The next free IP, held for {@code owner}; throws IllegalStateException when the range is full.
   */
  public synchronized String allocate(String owner) {
    Set<String> used = used();
    for (long tried = 0; tried < size - 2; tried++) {
      String candidate = format(base + next);
      next = next + 1 >= size - 1 ? 1 : next + 1;
      if (!used.contains(candidate)) {
        holds.hold(candidate, owner);
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
    long address = parse(ip);
    return address > base && address < base + size - 1;
  }

  /**
   * Claims {@code ip} for {@code owner}'s create: true if the owner already holds it (it came from
   * {@link #allocate}) or it is free; false if a stored service or another create holds it.
   */
  public synchronized boolean claim(String ip, String owner) {
    if (holds.heldBy(ip, owner)) {
      return true;
    }
    if (used().contains(ip)) {
      return false;
    }
    holds.hold(ip, owner);
    return true;
  }

  /** {@code owner}'s create stored its service at {@code revision}. */
  public synchronized void commit(String ip, String owner, long revision) {
    holds.commit(ip, owner, revision);
  }

  /** {@code owner}'s create failed or was a dry run: its IP is free again. */
  public synchronized void release(String ip, String owner) {
    holds.release(ip, owner);
  }

  /** How many IPs creates hold that the stored services do not show yet. */
  synchronized int holdCount() {
    return holds.size();
  }

  private Set<String> used() {
    // holds first: a hold that retires is then already in the stored services read after it
    Set<String> used = holds.held();
    used.addAll(inUse.get());
    return used;
  }

  /** The address as a number, or -1 for anything that is not a dotted-quad IPv4 address. */
  public static long parse(String ip) {
    String[] octets = ip.split("\\.", -1);
    if (octets.length != 4) {
      return -1;
    }
    long address = 0;
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)) {
        return -1;
      }
      int value = Integer.parseInt(octet);
      if (value > 255) {
        return -1;
      }
      address = (address << 8) | value;
    }
    return address;
  }

  /** The dotted-quad form of an IPv4 address held as a number. */
  public static String format(long address) {
    return ((address >> 24) & 255)
        + "."
        + ((address >> 16) & 255)
        + "."
        + ((address >> 8) & 255)
        + "."
        + (address & 255);
  }
}
