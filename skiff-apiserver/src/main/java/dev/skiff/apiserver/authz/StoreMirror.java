package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import dev.skiff.storage.Compacted;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.Store;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An in-memory copy of every object under one store prefix, kept current by a store watch
 * (list-then-watch, relisting when the watch falls behind a compaction). Authorizers read it on the
 * event loop without blocking; {@code onChange} runs after each change on the watch thread.
 */
public final class StoreMirror<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StoreMirror.class);

  private final Store store;
  private final String prefix;
  private final Runnable onChange;
  private final ConcurrentSkipListMap<String, T> objects = new ConcurrentSkipListMap<>();
  private final Map<String, Long> modRevisions = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition advanced = lock.newCondition();
  private volatile long revision;
  private volatile Watch watch;
  private volatile boolean closed;

  private final Function<ObjectNode, T> transform;

  /** A mirror of the objects themselves. */
  public static StoreMirror<ObjectNode> of(Store store, String prefix, Runnable onChange) {
    return new StoreMirror<>(store, prefix, Function.identity(), onChange);
  }

  /** A mirror of what {@code transform} extracts from each object. */
  public StoreMirror(
      Store store, String prefix, Function<ObjectNode, T> transform, Runnable onChange) {
    this.store = store;
    this.transform = transform;
    this.prefix = prefix;
    this.onChange = onChange;
  }

  /** Lists synchronously, then watches. */
  public void start() {
    relist();
  }

  private synchronized void relist() {
    if (closed) {
      return;
    }
    long at = store.currentRevision();
    Map<String, T> fresh = new ConcurrentHashMap<>();
    Map<String, Long> freshRevisions = new ConcurrentHashMap<>();
    String after = null;
    while (true) {
      RangeResult range = store.range(prefix, at, after, 500);
      for (KeyValue kv : range.items()) {
        fresh.put(kv.key(), transform.apply(Json.parseObject(kv.value())));
        freshRevisions.put(kv.key(), kv.modRevision());
      }
      if (!range.more() || range.items().isEmpty()) {
        break;
      }
      after = range.items().get(range.items().size() - 1).key();
    }
    objects.keySet().retainAll(fresh.keySet());
    objects.putAll(fresh);
    modRevisions.keySet().retainAll(freshRevisions.keySet());
    modRevisions.putAll(freshRevisions);
    advanceTo(at);
    onChange.run();
    try {
      watch = store.watch(prefix, at, this::apply);
      watch.done().whenComplete((ignored, error) -> restartAfter(error));
    } catch (Compacted e) {
      relist();
    }
  }

  private void restartAfter(Throwable error) {
    if (closed) {
      return;
    }
    log.info("event=rbac_mirror_relist prefix={} reason={}", prefix, String.valueOf(error));
    Thread.ofVirtual().start(this::relist);
  }

  private void apply(WatchEvent event) {
    if (event.type() == WatchEvent.Type.PUT) {
      objects.put(event.kv().key(), transform.apply(Json.parseObject(event.kv().value())));
      modRevisions.put(event.kv().key(), event.kv().modRevision());
    } else {
      objects.remove(event.kv().key());
      modRevisions.remove(event.kv().key());
    }
    onChange.run();
    advanceTo(event.revision());
  }

  private void advanceTo(long rev) {
    lock.lock();
    try {
      if (rev > revision) {
        revision = rev;
      }
      advanced.signalAll();
    } finally {
      lock.unlock();
    }
  }

  long revision() {
    return revision;
  }

  /**
   * Waits until the mirror holds exactly what the store holds under its prefix now (same keys, same
   * mod revisions); true when it does before the timeout. For start-up and tests, not the request
   * path: it reads the whole prefix.
   */
  public boolean awaitInSync(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Long> wanted = new java.util.HashMap<>();
    String after = null;
    while (true) {
      RangeResult range = store.range(prefix, 0, after, 500);
      for (KeyValue kv : range.items()) {
        wanted.put(kv.key(), kv.modRevision());
      }
      if (!range.more() || range.items().isEmpty()) {
        break;
      }
      after = range.items().get(range.items().size() - 1).key();
    }
    lock.lock();
    try {
      while (!wanted.equals(modRevisions)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        advanced.awaitNanos(Math.min(left, 10_000_000L));
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  public Collection<T> objects() {
    return objects.values();
  }

  /** The objects whose keys start with {@code keyPrefix}, in key order. */
  public Collection<T> under(String keyPrefix) {
    return objects.subMap(keyPrefix, keyPrefix + Character.MAX_VALUE).values();
  }

  public T get(String key) {
    return objects.get(key);
  }

  @Override
  public void close() {
    closed = true;
    Watch current = watch;
    if (current != null) {
      current.close();
    }
  }
}
