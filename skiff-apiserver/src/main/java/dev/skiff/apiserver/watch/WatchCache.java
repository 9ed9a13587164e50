package dev.skiff.apiserver.watch;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.StreamSink;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.Store;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The in-memory state of one resource, fed by ONE store watch: every current object (parsed and
 * serialized once) plus a ring buffer of recent events. Lists and watches are served from it.
 *
 * <p>Freshness: the store has no progress notifications, so the cache knows it is current once it
 * has seen every write this server made to the resource ({@link #noteWrite}); a consistent list
 * waits for that. Writes made by another API server on the same etcd show up as soon as its watch
 * delivers them.
 */
public final class WatchCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WatchCache.class);

  private final Store store;
  private final String prefix;
  private final Function<ObjectNode, Map<String, String>> fieldsOf;
  private final ObjectNode bookmarkTemplate;
  private final WatchCacheOptions options;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition advanced = lock.newCondition();
  private final TreeMap<String, CachedObject> items = new TreeMap<>();
  private final ArrayDeque<CacheEvent> events = new ArrayDeque<>();
  private final List<CacheWatcher> watchers = new CopyOnWriteArrayList<>();
  private long revision;
  private long oldestRevision;
  private long writtenRevision;
  private Watch storeWatch;
  private ScheduledFuture<?> bookmarkTask;
  private boolean started;
  private boolean closed;

  /**
   * @param prefix the store key prefix of the resource
   * @param fieldsOf the kind's selectable fields besides metadata.name and metadata.namespace
   * @param kind the kind and apiVersion bookmarks carry
   */
  public WatchCache(
      Store store,
      String prefix,
      Function<ObjectNode, Map<String, String>> fieldsOf,
      String kind,
      String apiVersion,
      WatchCacheOptions options) {
    this.store = store;
    this.prefix = prefix;
    this.fieldsOf = fieldsOf;
    this.options = options;
    this.bookmarkTemplate = Json.object();
    bookmarkTemplate.put("kind", kind);
    bookmarkTemplate.put("apiVersion", apiVersion);
  }

  /** Lists the store and starts watching it; idempotent. */
  public void start() {
    lock.lock();
    try {
      if (started || closed) {
        return;
      }
      started = true;
      load();
      long interval = options.bookmarkInterval().toMillis();
      bookmarkTask =
          options
              .scheduler()
              .scheduleAtFixedRate(this::sendBookmarks, interval, interval, TimeUnit.MILLISECONDS);
    } finally {
      lock.unlock();
    }
  }

  /** Called with the lock held: (re)lists and (re)watches. */
  private void load() {
    RangeResult range = store.range(prefix, 0, null, 0);
    items.clear();
    events.clear();
    for (KeyValue kv : range.items()) {
      items.put(kv.key(), cache(kv.key(), kv.value(), kv.modRevision()));
    }
    revision = range.revision();
    oldestRevision = revision;
    writtenRevision = Math.max(writtenRevision, 0);
    Watch watch = store.watch(prefix, revision, this::onStoreEvent);
    storeWatch = watch;
    watch
        .done()
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                restart(watch, error);
              }
            });
    advanced.signalAll();
  }

  private void restart(Watch failed, Throwable error) {
    lock.lock();
    try {
      if (closed || storeWatch != failed) {
        return;
      }
      LOG.info("event=watch_cache_restart prefix={} reason={}", prefix, error.toString());
      failed.close();
      watchers.forEach(CacheWatcher::close);
      watchers.clear();
      load();
    } catch (RuntimeException e) {
      LOG.warn("event=watch_cache_restart_failed prefix={} reason={}", prefix, e.toString());
    } finally {
      lock.unlock();
    }
  }

  private void onStoreEvent(WatchEvent event) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      String key = event.kv().key();
      long rev = event.revision();
      if (rev <= revision) {
        return;
      }
      CachedObject previous = items.get(key);
      CacheEvent cacheEvent;
      if (event.type() == WatchEvent.Type.PUT) {
        CachedObject current = cache(key, event.kv().value(), rev);
        items.put(key, current);
        cacheEvent =
            new CacheEvent(
                previous == null ? CacheEvent.Type.ADDED : CacheEvent.Type.MODIFIED,
                current,
                previous);
      } else {
        items.remove(key);
        if (previous == null) {
          KeyValue last = event.previous();
          if (last == null || last.value() == null) {
            revision = rev;
            return;
          }
          previous = cache(key, last.value(), last.modRevision());
        }
        cacheEvent = new CacheEvent(CacheEvent.Type.DELETED, withRevision(previous, rev), previous);
      }
      events.addLast(cacheEvent);
      while (events.size() > options.capacity()) {
        oldestRevision = events.removeFirst().revision();
      }
      revision = rev;
      for (CacheWatcher watcher : watchers) {
        if (watcher.closed()) {
          watchers.remove(watcher);
        } else {
          watcher.deliver(cacheEvent);
        }
      }
      advanced.signalAll();
    } catch (RuntimeException e) {
      LOG.warn("event=watch_cache_bad_event prefix={} reason={}", prefix, e.toString());
    } finally {
      lock.unlock();
    }
  }

  /** A stored key-value as the cache would hold it (for lists read from the store). */
  public CachedObject fromStore(KeyValue kv) {
    return cache(kv.key(), kv.value(), kv.modRevision());
  }

  private CachedObject cache(String key, byte[] value, long rev) {
    ObjectNode object = Json.parseObject(value);
    return cached(key, object, rev);
  }

  private CachedObject cached(String key, ObjectNode object, long rev) {
    ObjectNode metadata = metadata(object);
    metadata.put("resourceVersion", Long.toString(rev));
    Map<String, String> fields = new HashMap<>(fieldsOf.apply(object));
    fields.put("metadata.name", metadata.path("name").asString(""));
    fields.put("metadata.namespace", metadata.path("namespace").asString(""));
    Map<String, String> labels = new HashMap<>();
    metadata
        .path("labels")
        .properties()
        .forEach(e -> labels.put(e.getKey(), e.getValue().asString("")));
    return new CachedObject(
        key, object, Json.bytes(object), rev, Map.copyOf(labels), Map.copyOf(fields));
  }

  private static ObjectNode metadata(ObjectNode object) {
    return object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
  }

  /** A copy of {@code object} carrying another resourceVersion. */
  static CachedObject withRevision(CachedObject object, long rev) {
    ObjectNode copy = object.object().deepCopy();
    metadata(copy).put("resourceVersion", Long.toString(rev));
    return new CachedObject(
        object.key(), copy, Json.bytes(copy), rev, object.labels(), object.fields());
  }

  /**
   * Records that this server wrote to the resource at {@code rev}: consistent reads wait for it.
   */
  public void noteWrite(long rev) {
    lock.lock();
    try {
      writtenRevision = Math.max(writtenRevision, rev);
    } finally {
      lock.unlock();
    }
  }

  /** The revision the cache reflects. */
  public long revision() {
    lock.lock();
    try {
      return revision;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until the cache reflects {@code rev} (or every write this server made, when {@code rev}
   * is 0); false on timeout.
   */
  public boolean waitFor(long rev, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      long target = rev == 0 ? writtenRevision : rev;
      while (revision < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        advanced.awaitNanos(left);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** The current object at {@code key}, or null. */
  public CachedObject get(String key) {
    lock.lock();
    try {
      return items.get(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The objects under {@code keyPrefix} that pass {@code filter}, in key order, after {@code
   * afterKey} (null = from the start), at most {@code limit} (0 = all).
   */
  public CachePage list(
      String keyPrefix, Predicate<CachedObject> filter, String afterKey, int limit) {
    lock.lock();
    try {
      NavigableMap<String, CachedObject> range = items.tailMap(keyPrefix, true);
      if (afterKey != null && afterKey.compareTo(keyPrefix) >= 0) {
        range = items.tailMap(afterKey, false);
      }
      List<CachedObject> out = new ArrayList<>();
      String lastKey = null;
      long remaining = 0;
      for (CachedObject object : range.values()) {
        if (!object.key().startsWith(keyPrefix)) {
          break;
        }
        if (!filter.test(object)) {
          continue;
        }
        if (limit > 0 && out.size() >= limit) {
          remaining++;
          continue;
        }
        out.add(object);
      }
      if (remaining > 0) {
        lastKey = out.get(out.size() - 1).key();
      }
      return new CachePage(out, revision, lastKey, remaining);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts a watch into {@code sink}. Throws {@link TooOldResourceVersion} when the events after
   * the requested resourceVersion are no longer retained.
   */
  public void watch(StreamSink sink, WatchRequest request) {
    CacheWatcher watcher =
        new CacheWatcher(sink, request, options.clock(), options.maxUnwritable());
    lock.lock();
    try {
      Long from = request.resourceVersion();
      boolean initial = from == null || from == 0 || request.sendInitialEvents();
      if (from != null && from != 0 && from < oldestRevision && !request.sendInitialEvents()) {
        throw new TooOldResourceVersion(from, oldestRevision);
      }
      if (initial) {
        items.values().forEach(watcher::sendInitial);
        if (request.sendInitialEvents()) {
          watcher.bookmark(bookmark(revision, true));
        }
        watcher.startAfter(revision);
      } else {
        for (CacheEvent event : events) {
          watcher.deliver(event);
        }
      }
      watchers.add(watcher);
    } finally {
      lock.unlock();
    }
    CacheWatcher registered = watcher;
    ScheduledFuture<?> timeout =
        options
            .scheduler()
            .schedule(sink::close, request.timeout().toMillis(), TimeUnit.MILLISECONDS);
    sink.onClose(
        () -> {
          timeout.cancel(false);
          watchers.remove(registered);
        });
  }

  private CachedObject bookmark(long rev, boolean initialEventsEnd) {
    ObjectNode marker = bookmarkTemplate.deepCopy();
    ObjectNode metadata = marker.putObject("metadata");
    metadata.put("resourceVersion", Long.toString(rev));
    if (initialEventsEnd) {
      metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
    }
    return new CachedObject("", marker, Json.bytes(marker), rev, Map.of(), Map.of());
  }

  /** Sends every bookmark-accepting watcher a BOOKMARK at the current revision. */
  void sendBookmarks() {
    lock.lock();
    try {
      if (closed || watchers.isEmpty()) {
        return;
      }
      CachedObject marker = bookmark(revision, false);
      for (CacheWatcher watcher : watchers) {
        if (watcher.closed()) {
          watchers.remove(watcher);
        } else {
          watcher.bookmark(marker);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("event=bookmark_failed prefix={} reason={}", prefix, e.toString());
    } finally {
      lock.unlock();
    }
  }

  /** The number of open watchers (for tests and metrics). */
  public int watcherCount() {
    watchers.removeIf(CacheWatcher::closed);
    return watchers.size();
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (bookmarkTask != null) {
        bookmarkTask.cancel(false);
      }
      if (storeWatch != null) {
        storeWatch.close();
      }
      watchers.forEach(CacheWatcher::close);
      watchers.clear();
    } finally {
      lock.unlock();
    }
  }
}
