package dev.skiff.apiserver.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.apiserver.http.StreamSink;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.Store;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import dev.skiff.storage.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchCacheTest {
  private static final String PREFIX = "/registry/core/configmaps/";

  private final MutableClock clock = new MutableClock();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final FailableStore store = new FailableStore(new MemoryStore());
  private final WatchCache cache =
      new WatchCache(
          store,
          PREFIX,
          o -> Map.of(),
          "ConfigMap",
          "v1",
          new WatchCacheOptions(
              100, Duration.ofHours(1), Duration.ofSeconds(10), clock, scheduler));

  @AfterEach
  void close() {
    cache.close();
    scheduler.shutdownNow();
    store.close();
  }

  private long put(String name) {
    String json =
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
            + name
            + "\",\"namespace\":\"default\"}}";
    long rev = store.create(PREFIX + "default/" + name, json.getBytes(StandardCharsets.UTF_8));
    cache.noteWrite(rev);
    return rev;
  }

  private static WatchRequest from(Long rv, boolean bookmarks) {
    return new WatchRequest(
        "", o -> true, rv, false, bookmarks, Duration.ofHours(1), new Encoder());
  }

  @Test
  void listsPagesInKeyOrderAtTheCacheRevision() {
    cache.start();
    put("b");
    put("a");
    long last = put("c");
    assertThat(cache.waitFor(0, Duration.ofSeconds(5))).isTrue();
    CachePage first = cache.list(PREFIX, o -> true, null, 2);
    assertThat(first.items())
        .extracting(o -> o.fields().get("metadata.name"))
        .containsExactly("a", "b");
    assertThat(first.remaining()).isEqualTo(1);
    assertThat(first.revision()).isEqualTo(last);
    CachePage rest = cache.list(PREFIX, o -> true, first.lastKey(), 2);
    assertThat(rest.items()).extracting(o -> o.fields().get("metadata.name")).containsExactly("c");
    assertThat(rest.lastKey()).isNull();
  }

  @Test
  void slowWatcherIsDroppedAfterStayingUnwritable() {
    cache.start();
    long start = put("a");
    cache.waitFor(0, Duration.ofSeconds(5));
    RecordingSink sink = new RecordingSink();
    cache.watch(sink, from(start, false));
    sink.writable = false;
    put("b");
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.chunks.size() == 1);
    clock.advance(Duration.ofSeconds(11));
    put("c");
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.closed);
    assertThat(sink.chunks).hasSize(1);
    assertThat(cache.watcherCount()).isZero();
  }

  @Test
  void bookmarksGoOnlyToWatchersThatAskForThem() {
    cache.start();
    long rev = put("a");
    cache.waitFor(0, Duration.ofSeconds(5));
    RecordingSink with = new RecordingSink();
    RecordingSink without = new RecordingSink();
    cache.watch(with, from(rev, true));
    cache.watch(without, from(rev, false));
    cache.sendBookmarks();
    assertThat(with.chunks).hasSize(1);
    assertThat(new String(with.chunks.get(0), StandardCharsets.UTF_8)).isEqualTo("BOOKMARK " + rev);
    assertThat(without.chunks).isEmpty();
  }

  @Test
  void failedStoreWatchClosesWatchersAndRelists() {
    cache.start();
    put("a");
    cache.waitFor(0, Duration.ofSeconds(5));
    RecordingSink sink = new RecordingSink();
    cache.watch(sink, from(null, false));
    store.failWatches();
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.closed);
    put("b");
    assertThat(cache.waitFor(0, Duration.ofSeconds(5))).isTrue();
    assertThat(cache.list(PREFIX, o -> true, null, 0).items()).hasSize(2);
  }

  @Test
  void tooOldResourceVersionIsRefused() {
    WatchCache small =
        new WatchCache(
            store,
            PREFIX,
            o -> Map.of(),
            "ConfigMap",
            "v1",
            new WatchCacheOptions(
                1, Duration.ofHours(1), Duration.ofSeconds(10), clock, scheduler));
    small.start();
    long first = put("a");
    put("b");
    small.noteWrite(put("c"));
    small.waitFor(0, Duration.ofSeconds(5));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> small.watch(new RecordingSink(), from(first, false)))
        .isInstanceOf(TooOldResourceVersion.class)
        .hasMessageStartingWith("too old resource version: " + first);
    small.close();
  }

  /** Encodes events as "TYPE name" (bookmarks as "BOOKMARK rv"). */
  static final class Encoder implements EventEncoder {
    @Override
    public String id() {
      return "test";
    }

    @Override
    public byte[] encode(String type, CachedObject object, boolean first) {
      String what =
          type.equals("BOOKMARK")
              ? Long.toString(object.revision())
              : object.fields().get("metadata.name");
      return (type + " " + what).getBytes(StandardCharsets.UTF_8);
    }
  }

  static final class RecordingSink implements StreamSink {
    final List<byte[]> chunks = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Runnable> callbacks = new ArrayList<>();
    volatile boolean writable = true;
    volatile boolean closed;

    @Override
    public void send(byte[] chunk) {
      chunks.add(chunk);
    }

    @Override
    public boolean isWritable() {
      return writable;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        callbacks.forEach(Runnable::run);
      }
    }

    @Override
    public boolean isClosed() {
      return closed;
    }

    @Override
    public void onClose(Runnable callback) {
      callbacks.add(callback);
    }
  }

  static final class MutableClock implements InstantSource {
    private volatile Instant now = Instant.parse("2026-11-25T10:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    void advance(Duration by) {
      now = now.plus(by);
    }
  }

  /** A MemoryStore whose watches the test can end with a failure. */
  static final class FailableStore implements Store {
    private final MemoryStore delegate;
    private final List<CompletableFuture<Void>> watches =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    FailableStore(MemoryStore delegate) {
      this.delegate = delegate;
    }

    void failWatches() {
      watches.forEach(
          w -> w.completeExceptionally(new dev.skiff.storage.StoreUnavailable("test", null)));
    }

    @Override
    public long create(String key, byte[] value) {
      return delegate.create(key, value);
    }

    @Override
    public Optional<dev.skiff.storage.KeyValue> get(String key) {
      return delegate.get(key);
    }

    @Override
    public RangeResult range(String prefix, long revision, String afterKey, int limit) {
      return delegate.range(prefix, revision, afterKey, limit);
    }

    @Override
    public long update(String key, byte[] value, long expectedModRevision) {
      return delegate.update(key, value, expectedModRevision);
    }

    @Override
    public long delete(String key, long expectedModRevision) {
      return delegate.delete(key, expectedModRevision);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, Consumer<WatchEvent> listener) {
      Watch inner = delegate.watch(prefix, afterRevision, listener);
      CompletableFuture<Void> done = new CompletableFuture<>();
      watches.add(done);
      return new Watch() {
        @Override
        public void close() {
          inner.close();
          done.complete(null);
        }

        @Override
        public CompletionStage<Void> done() {
          return done;
        }
      };
    }

    @Override
    public void compact(long revision) {
      delegate.compact(revision);
    }

    @Override
    public long currentRevision() {
      return delegate.currentRevision();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
