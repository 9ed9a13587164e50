package dev.skiff.apiserver.registry.core;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/** Hands out service node ports from 30000-32767 in order, skipping the ports services hold. */
public final class NodePortAllocator {
  public static final int FIRST = 30000;
  public static final int LAST = 32767;

  private final Supplier<Set<Integer>> inUse;
  private final Set<Integer> handedOut = new HashSet<>();
  private int next = FIRST;

  /**
   * @param inUse the node ports of the stored services
   */
  public NodePortAllocator(Supplier<Set<Integer>> inUse) {
    this.inUse = inUse;
  }

  /** The next free port; throws IllegalStateException when none is left. */
  public synchronized int allocate() {
    Set<Integer> used = inUse.get();
    for (int tried = 0; tried <= LAST - FIRST; tried++) {
      int candidate = next;
      next = next == LAST ? FIRST : next + 1;
      if (!used.contains(candidate) && handedOut.add(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("range is full");
  }
}
