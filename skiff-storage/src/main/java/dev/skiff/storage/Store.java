package dev.skiff.storage;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * A revisioned key-value store with etcd's semantics. Every successful write gets the next global
 * revision; a key's mod revision is the revision of its last write and is the object's
 * resourceVersion. Only the API server uses a store.
 *
 * <p>Errors are the subclasses of {@link StoreException}: {@link KeyExists}, {@link KeyNotFound},
 * {@link RevisionConflict}, {@link Compacted} and {@link StoreUnavailable}.
 */
public interface Store extends AutoCloseable {

  /** Creates {@code key} only if it is absent; returns the revision of the write. */
  long create(String key, byte[] value);

  /** The current value of {@code key}, if present. */
  Optional<KeyValue> get(String key);

  /**
   * The keys with {@code prefix} as they were at {@code revision} (0 = now), in key order, starting
   * after {@code afterKey} (exclusive; null = from the start), at most {@code limit} of them (0 =
   * no limit). Throws {@link Compacted} when {@code revision} is older than the compacted revision
   * (the compacted revision itself can still be read), and {@link IllegalArgumentException} when it
   * is newer than the current revision.
   */
  RangeResult range(String prefix, long revision, String afterKey, int limit);

  /**
   * Replaces the value of an existing key whose mod revision equals {@code expectedModRevision};
   * returns the revision of the write. {@link KeyNotFound} if absent, {@link RevisionConflict}
   * (with the current value) if the revision differs.
   */
  long update(String key, byte[] value, long expectedModRevision);

  /**
   * Deletes {@code key} if its mod revision equals {@code expectedModRevision} (0 = whatever it
   * is); returns the revision of the delete. {@link KeyNotFound} if absent, {@link
   * RevisionConflict} if the revision differs.
   */
  long delete(String key, long expectedModRevision);

  /**
   * Streams every change under {@code prefix} with a revision greater than {@code afterRevision},
   * in revision order, to {@code listener}, starting with the retained history. Events are
   * delivered on one thread per watch and never concurrently. Throws {@link Compacted} when {@code
   * afterRevision} is older than the compacted revision; {@link Watch#done()} reports a watch that
   * ends later for another reason than being closed.
   */
  Watch watch(String prefix, long afterRevision, Consumer<WatchEvent> listener);

  /**
   * Forgets history up to and including {@code revision}: ranges below it and watches from before
   * it fail with {@link Compacted} afterwards; each key keeps its latest value at {@code revision}.
   * Compacting to or below an earlier compaction does nothing; compacting beyond the current
   * revision throws {@link IllegalArgumentException}.
   */
  void compact(long revision);

  /** The revision of the latest write. */
  long currentRevision();

  @Override
  void close();
}
