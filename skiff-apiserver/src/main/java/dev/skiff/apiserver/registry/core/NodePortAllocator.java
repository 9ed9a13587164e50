package dev.skiff.apiserver.registry.core;

import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Hands out service node ports from 30000-32767 in order, skipping the ports stored services and
 * creates in flight hold; holds work as in {@link ClusterIpAllocator}.
 */
public final class NodePortAllocator {
  public static final int FIRST = 30000;
  public static final int LAST = 32767;

  private final Supplier<Set<Integer>> inUse;
  private final AllocationHolds<Integer> holds;
  private int next = FIRST;

  /**
   * @param inUse the node ports of the stored services
   * @param cacheRevision the revision {@code inUse} reflects
   */
  public NodePortAllocator(Supplier<Set<Integer>> inUse, LongSupplier cacheRevision) {
    this.inUse = inUse;
    this.holds = new AllocationHolds<>(cacheRevision);
  }

  /** An allocator whose committed holds never retire (for tests without a cache). */
  public NodePortAllocator(Supplier<Set<Integer>> inUse) {
    this(inUse, () -> 0);
  }

  /** Whether {@code port} is in the node port range. */
  public static boolean inRange(int port) {
    return port >= FIRST && port <= LAST;
  }

  /** The next free port, held for {@code owner}; throws IllegalStateException when none is left. */
  public synchronized int allocate(String owner) {
    Set<Integer> used = used();
    for (int tried = 0; tried <= LAST - FIRST; tried++) {
      int candidate = next;
      next = next == LAST ? FIRST : next + 1;
      if (!used.contains(candidate)) {
        holds.hold(candidate, owner);
        return candidate;
      }
    }
    throw new IllegalStateException("range is full");
  }

  /**
   * Claims a chosen port for {@code owner}'s create; false if a service or another create holds it.
   */
  public synchronized boolean claim(int port, String owner) {
    if (holds.heldBy(port, owner)) {
      return true;
    }
    if (used().contains(port)) {
      return false;
    }
    holds.hold(port, owner);
    return true;
  }

  /** {@code owner}'s create stored its service at {@code revision}. */
  public synchronized void commit(int port, String owner, long revision) {
    holds.commit(port, owner, revision);
  }

  /** {@code owner}'s create failed or was a dry run: the port is free again. */
  public synchronized void release(int port, String owner) {
    holds.release(port, owner);
  }

  /** How many ports creates hold that the stored services do not show yet. */
  synchronized int holdCount() {
    return holds.size();
  }

  private Set<Integer> used() {
    Set<Integer> used = holds.held();
    used.addAll(inUse.get());
    return used;
  }
}
