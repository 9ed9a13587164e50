package dev.skiff.storage.memory;

import dev.skiff.storage.Compacted;
import dev.skiff.storage.KeyExists;
import dev.skiff.storage.KeyNotFound;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.RevisionConflict;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import dev.skiff.storage.internal.KeyRanges;
import dev.skiff.storage.internal.LocalWatch;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;

/**
 * A {@link Store} held in memory, for tests and {@code memory://}. Every revision of every key is
 * kept until compacted, so ranges at older revisions and watches from older revisions work as with
 * etcd. Writes take one lock; watch events are handed to each watch's own delivery thread without
 * blocking the writer.
 */
public final class MemoryStore implements Store {
  /** A watch whose undelivered events exceed this is ended. */
  public static final int DEFAULT_MAX_QUEUED_EVENTS = 100_000;

  private record Version(long revision, byte[] value, long createRevision) {
    boolean deleted() {
      return value == null;
    }
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final TreeMap<String, List<Version>> history = new TreeMap<>();
  // events[i] has revision compactedRevision + 1 + i: each write makes exactly one event
  private final ArrayList<WatchEvent> events = new ArrayList<>();
  private final Set<LocalWatch> watches = ConcurrentHashMap.newKeySet();
  private final int maxQueuedEvents;
  private long revision;
  private long compactedRevision;
  private boolean closed;

  public MemoryStore() {
    this(DEFAULT_MAX_QUEUED_EVENTS);
  }

  MemoryStore(int maxQueuedEvents) {
    this.maxQueuedEvents = maxQueuedEvents;
  }

  @Override
  public long create(String key, byte[] value) {
    byte[] copy = value.clone();
    lock.writeLock().lock();
    try {
      checkOpen();
      if (latestLive(key) != null) {
        throw new KeyExists(key);
      }
      long rev = ++revision;
      append(key, new Version(rev, copy, rev));
      publish(new WatchEvent(WatchEvent.Type.PUT, new KeyValue(key, copy, rev, rev), null));
      return rev;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Optional<KeyValue> get(String key) {
    lock.readLock().lock();
    try {
      checkOpen();
      Version latest = latestLive(key);
      return latest == null ? Optional.empty() : Optional.of(toKeyValue(key, latest));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public RangeResult range(String prefix, long atRevision, String afterKey, int limit) {
    lock.readLock().lock();
    try {
      checkOpen();
      long rev = atRevision == 0 ? revision : atRevision;
      if (rev > revision) {
        throw new IllegalArgumentException(
            "revision " + rev + " is in the future (current: " + revision + ")");
      }
      if (rev < compactedRevision) {
        throw new Compacted(rev, compactedRevision);
      }
      List<KeyValue> items = new ArrayList<>();
      boolean more = false;
      for (Map.Entry<String, List<Version>> entry : keysIn(prefix, afterKey).entrySet()) {
        Version version = versionAt(entry.getValue(), rev);
        if (version == null || version.deleted()) {
          continue;
        }
        if (limit > 0 && items.size() == limit) {
          more = true;
          break;
        }
        items.add(toKeyValue(entry.getKey(), version));
      }
      return new RangeResult(items, rev, more);
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long update(String key, byte[] value, long expectedModRevision) {
    byte[] copy = value.clone();
    lock.writeLock().lock();
    try {
      checkOpen();
      Version current = checkExpected(key, expectedModRevision);
      long rev = ++revision;
      Version next = new Version(rev, copy, current.createRevision());
      append(key, next);
      publish(new WatchEvent(WatchEvent.Type.PUT, toKeyValue(key, next), toKeyValue(key, current)));
      return rev;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public long delete(String key, long expectedModRevision) {
    lock.writeLock().lock();
    try {
      checkOpen();
      Version current = checkExpected(key, expectedModRevision);
      long rev = ++revision;
      append(key, new Version(rev, null, 0));
      publish(
          new WatchEvent(
              WatchEvent.Type.DELETE, new KeyValue(key, null, 0, rev), toKeyValue(key, current)));
      return rev;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Watch watch(String prefix, long afterRevision, Consumer<WatchEvent> listener) {
    // the write lock orders registration against publishing: no event is missed or repeated
    lock.writeLock().lock();
    try {
      checkOpen();
      if (afterRevision < compactedRevision) {
        throw new Compacted(afterRevision, compactedRevision);
      }
      List<WatchEvent> replay = new ArrayList<>();
      int from = (int) Math.max(0, afterRevision - compactedRevision);
      for (int i = from; i < events.size(); i++) {
        WatchEvent event = events.get(i);
        if (KeyRanges.matches(event.kv().key(), prefix)) {
          replay.add(event);
        }
      }
      LocalWatch[] self = new LocalWatch[1];
      LocalWatch watch =
          new LocalWatch(
              prefix,
              Math.max(afterRevision, revision),
              listener,
              maxQueuedEvents,
              () -> watches.remove(self[0]));
      self[0] = watch;
      watches.add(watch);
      return watch.start(sink -> replay.forEach(sink));
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void compact(long rev) {
    lock.writeLock().lock();
    try {
      checkOpen();
      if (rev <= compactedRevision) {
        return;
      }
      if (rev > revision) {
        throw new IllegalArgumentException(
            "cannot compact to revision " + rev + " beyond the current " + revision);
      }
      Iterator<List<Version>> keys = history.values().iterator();
      while (keys.hasNext()) {
        List<Version> versions = keys.next();
        int keep = indexAt(versions, rev);
        if (keep < 0) {
          continue;
        }
        if (versions.get(keep).deleted()) {
          keep++;
        }
        versions.subList(0, keep).clear();
        if (versions.isEmpty()) {
          keys.remove();
        }
      }
      events.subList(0, (int) (rev - compactedRevision)).clear();
      compactedRevision = rev;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public long currentRevision() {
    lock.readLock().lock();
    try {
      checkOpen();
      return revision;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
    } finally {
      lock.writeLock().unlock();
    }
    List.copyOf(watches).forEach(LocalWatch::close);
  }

  private Version checkExpected(String key, long expectedModRevision) {
    Version current = latestLive(key);
    if (current == null) {
      throw new KeyNotFound(key);
    }
    if (expectedModRevision != 0 && current.revision() != expectedModRevision) {
      throw new RevisionConflict(key, toKeyValue(key, current));
    }
    return current;
  }

  private NavigableMap<String, List<Version>> keysIn(String prefix, String afterKey) {
    boolean afterKeyInside = afterKey != null && afterKey.compareTo(prefix) >= 0;
    String from = afterKeyInside ? afterKey : prefix;
    String end = KeyRanges.prefixEnd(prefix);
    return end == null
        ? history.tailMap(from, !afterKeyInside)
        : history.subMap(from, !afterKeyInside, end, false);
  }

  private Version latestLive(String key) {
    List<Version> versions = history.get(key);
    if (versions == null) {
      return null;
    }
    Version latest = versions.getLast();
    return latest.deleted() ? null : latest;
  }

  private static Version versionAt(List<Version> versions, long rev) {
    int index = indexAt(versions, rev);
    return index < 0 ? null : versions.get(index);
  }

  /** Index of the last version at or before {@code rev}, or -1. */
  private static int indexAt(List<Version> versions, long rev) {
    int low = 0;
    int high = versions.size() - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (versions.get(mid).revision() <= rev) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private void append(String key, Version version) {
    history.computeIfAbsent(key, k -> new ArrayList<>(2)).add(version);
  }

  private void publish(WatchEvent event) {
    events.add(event);
    for (LocalWatch watch : watches) {
      watch.offer(event);
    }
  }

  private static KeyValue toKeyValue(String key, Version version) {
    return new KeyValue(key, version.value(), version.createRevision(), version.revision());
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreUnavailable("store is closed", null);
    }
  }
}
