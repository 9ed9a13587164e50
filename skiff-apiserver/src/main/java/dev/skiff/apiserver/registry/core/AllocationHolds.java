package dev.skiff.apiserver.registry.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The values (cluster IPs, node ports) allocators handed to creates that the watch cache does not
 * show yet. A hold belongs to one create (the new object's uid): while the create runs it is
 * pending; when the create fails or is a dry run its owner releases it; when the object is stored
 * it is committed at the write's revision and retires once the cache has seen that revision, from
 * when on the stored object itself keeps the value in use. Not thread-safe: allocators lock.
 */
final class AllocationHolds<K> {
  private static final long PENDING = Long.MAX_VALUE;

  private record Hold(String owner, long revision) {}

  private final Map<K, Hold> holds = new HashMap<>();
  private final LongSupplier cacheRevision;

  /** {@code cacheRevision}: the revision the watch cache of the stored objects reflects. */
  AllocationHolds(LongSupplier cacheRevision) {
    this.cacheRevision = cacheRevision;
  }

  /** The held values, after retiring holds of writes the cache has seen. */
  Set<K> held() {
    long seen = cacheRevision.getAsLong();
    holds.values().removeIf(h -> h.revision() <= seen);
    return new HashSet<>(holds.keySet());
  }

  /** Whether {@code owner} holds {@code value}. */
  boolean heldBy(K value, String owner) {
    Hold hold = holds.get(value);
    return hold != null && hold.owner().equals(owner);
  }

  void hold(K value, String owner) {
    holds.put(value, new Hold(owner, PENDING));
  }

  /** The owner's create stored the object at {@code revision}. */
  void commit(K value, String owner, long revision) {
    holds.computeIfPresent(
        value, (k, h) -> h.owner().equals(owner) ? new Hold(owner, revision) : h);
  }

  /** The owner's create did not store the object: the value is free again. */
  void release(K value, String owner) {
    holds.computeIfPresent(
        value, (k, h) -> h.owner().equals(owner) && h.revision() == PENDING ? null : h);
  }

  int size() {
    return holds.size();
  }
}
