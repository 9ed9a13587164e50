package dev.skiff.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Store} shares, etcd's KV contract. A backend's test extends this class
 * and supplies a fresh, empty store from {@link #newStore()}; other modules reuse it through the
 * skiff-storage test-jar.
 */
public abstract class StoreContract {
  protected static final Duration WAIT = Duration.ofSeconds(60);

  protected Store store;

  /** A new, empty store; the contract closes it after each test. */
  protected abstract Store newStore() throws Exception;

  /** Called after the store of a test was closed, to release what {@link #newStore} started. */
  protected void afterStoreClosed() throws Exception {}

  @BeforeEach
  void openStore() throws Exception {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws Exception {
    try {
      if (store != null) {
        store.close();
      }
    } finally {
      afterStoreClosed();
    }
  }

  protected static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  protected static String text(byte[] value) {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  protected static List<String> keys(RangeResult result) {
    return result.items().stream().map(KeyValue::key).toList();
  }

  /** Collects watch events and the threads they arrived on. */
  public static final class Recorder implements Consumer<WatchEvent> {
    public final List<WatchEvent> events = new CopyOnWriteArrayList<>();
    public final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Override
    public void accept(WatchEvent event) {
      events.add(event);
      threads.add(Thread.currentThread());
    }

    public List<WatchEvent> awaitCount(int count) {
      await().atMost(WAIT).until(() -> events.size() >= count);
      return List.copyOf(events);
    }
  }

  // ---- create and get ----

  @Test
  void createStoresTheValueAtANewRevision() {
    long before = store.currentRevision();
    long rev = store.create("/registry/pods/default/a", bytes("one"));

    assertThat(rev).isGreaterThan(before);
    assertThat(store.currentRevision()).isEqualTo(rev);
    KeyValue kv = store.get("/registry/pods/default/a").orElseThrow();
    assertThat(kv.key()).isEqualTo("/registry/pods/default/a");
    assertThat(text(kv.value())).isEqualTo("one");
    assertThat(kv.createRevision()).isEqualTo(rev);
    assertThat(kv.modRevision()).isEqualTo(rev);
  }

  @Test
  void createOfAnExistingKeyThrowsKeyExistsAndWritesNothing() {
    store.create("/k", bytes("first"));
    long rev = store.currentRevision();

    assertThatThrownBy(() -> store.create("/k", bytes("second")))
        .isInstanceOfSatisfying(KeyExists.class, e -> assertThat(e.key()).isEqualTo("/k"));
    assertThat(store.currentRevision()).isEqualTo(rev);
    assertThat(text(store.get("/k").orElseThrow().value())).isEqualTo("first");
  }

  @Test
  void createAfterDeleteStartsANewLife() {
    long first = store.create("/k", bytes("a"));
    store.delete("/k", 0);
    long second = store.create("/k", bytes("b"));

    KeyValue kv = store.get("/k").orElseThrow();
    assertThat(second).isGreaterThan(first);
    assertThat(kv.createRevision()).isEqualTo(second);
    assertThat(text(kv.value())).isEqualTo("b");
  }

  @Test
  void getOfAMissingKeyIsEmpty() {
    store.create("/a", bytes("x"));
    assertThat(store.get("/b")).isEmpty();
    assertThat(store.get("/a/")).isEmpty();
  }

  @Test
  void valuesAreBinarySafe() {
    byte[] all = new byte[256];
    for (int i = 0; i < all.length; i++) {
      all[i] = (byte) i;
    }
    store.create("/binary", all);
    assertThat(store.get("/binary").orElseThrow().value()).isEqualTo(all);
    assertThat(store.range("/binary", 0, null, 0).items().get(0).value()).isEqualTo(all);
  }

  @Test
  void aWriteIsNotAffectedByTheCallerChangingItsArrayLater() {
    byte[] value = bytes("keep");
    store.create("/k", value);
    value[0] = 'X';
    assertThat(text(store.get("/k").orElseThrow().value())).isEqualTo("keep");
  }

  // ---- range ----

  @Test
  void rangeReturnsTheKeysUnderThePrefixInKeyOrder() {
    for (String key : List.of("/r/ns/b", "/r/ns/a", "/r/ns/c", "/r/nsx/a", "/r/n", "/s/ns/a")) {
      store.create(key, bytes(key));
    }

    RangeResult result = store.range("/r/ns/", 0, null, 0);

    assertThat(keys(result)).containsExactly("/r/ns/a", "/r/ns/b", "/r/ns/c");
    assertThat(result.more()).isFalse();
    assertThat(result.revision()).isEqualTo(store.currentRevision());
    assertThat(text(result.items().get(1).value())).isEqualTo("/r/ns/b");
    assertThat(keys(store.range("", 0, null, 0))).hasSize(6);
    assertThat(keys(store.range("/r/", 0, null, 0))).hasSize(5);
    assertThat(store.range("/none/", 0, null, 0).items()).isEmpty();
  }

  @Test
  void rangeOmitsDeletedKeys() {
    store.create("/p/a", bytes("a"));
    store.create("/p/b", bytes("b"));
    store.delete("/p/a", 0);

    assertThat(keys(store.range("/p/", 0, null, 0))).containsExactly("/p/b");
  }

  @Test
  void rangeAtAnOlderRevisionSeesTheValuesOfThatRevision() {
    long createdA = store.create("/p/a", bytes("a1"));
    long createdB = store.create("/p/b", bytes("b1"));
    store.update("/p/a", bytes("a2"), createdA);
    store.delete("/p/b", createdB);
    store.create("/p/c", bytes("c1"));

    RangeResult old = store.range("/p/", createdB, null, 0);

    assertThat(old.revision()).isEqualTo(createdB);
    assertThat(keys(old)).containsExactly("/p/a", "/p/b");
    assertThat(text(old.items().get(0).value())).isEqualTo("a1");
    assertThat(old.items().get(0).modRevision()).isEqualTo(createdA);
    RangeResult now = store.range("/p/", 0, null, 0);
    assertThat(keys(now)).containsExactly("/p/a", "/p/c");
    assertThat(text(now.items().get(0).value())).isEqualTo("a2");
    assertThat(store.range("/p/", createdA, null, 0).items()).hasSize(1);
  }

  @Test
  void rangePagesWithLimitAndAfterKey() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String key = "/page/item-" + i;
      all.add(key);
      store.create(key, bytes("v" + i));
    }
    store.create("/pagex", bytes("outside"));
    long revision = store.currentRevision();

    List<String> seen = new ArrayList<>();
    String afterKey = null;
    int pages = 0;
    while (true) {
      RangeResult page = store.range("/page/", revision, afterKey, 3);
      pages++;
      seen.addAll(keys(page));
      assertThat(page.items().size()).isLessThanOrEqualTo(3);
      if (!page.more()) {
        break;
      }
      assertThat(page.items()).hasSize(3);
      afterKey = page.items().getLast().key();
    }

    assertThat(seen).isEqualTo(all);
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void rangeWithALimitEqualToTheKeysHasNoMore() {
    store.create("/l/a", bytes("a"));
    store.create("/l/b", bytes("b"));

    RangeResult exact = store.range("/l/", 0, null, 2);
    RangeResult smaller = store.range("/l/", 0, null, 1);

    assertThat(keys(exact)).containsExactly("/l/a", "/l/b");
    assertThat(exact.more()).isFalse();
    assertThat(keys(smaller)).containsExactly("/l/a");
    assertThat(smaller.more()).isTrue();
  }

  @Test
  void rangeAfterTheLastKeyIsEmptyAndAfterAKeyBeforeThePrefixStartsAtThePrefix() {
    store.create("/m/a", bytes("a"));
    store.create("/m/b", bytes("b"));

    assertThat(store.range("/m/", 0, "/m/b", 0).items()).isEmpty();
    assertThat(keys(store.range("/m/", 0, "/a", 0))).containsExactly("/m/a", "/m/b");
    assertThat(keys(store.range("/m/", 0, "/m/a", 0))).containsExactly("/m/b");
    assertThat(keys(store.range("/m/", 0, "/m/", 0))).containsExactly("/m/a", "/m/b");
  }

  @Test
  void rangeAtAFutureRevisionIsRejected() {
    long rev = store.create("/k", bytes("v"));
    assertThatThrownBy(() -> store.range("/", rev + 100, null, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- update ----

  @Test
  void updateWithTheCurrentRevisionReplacesTheValue() {
    long created = store.create("/u", bytes("v1"));
    long updated = store.update("/u", bytes("v2"), created);

    KeyValue kv = store.get("/u").orElseThrow();
    assertThat(updated).isGreaterThan(created);
    assertThat(store.currentRevision()).isEqualTo(updated);
    assertThat(text(kv.value())).isEqualTo("v2");
    assertThat(kv.modRevision()).isEqualTo(updated);
    assertThat(kv.createRevision()).isEqualTo(created);
  }

  @Test
  void updateWithAStaleRevisionThrowsRevisionConflictCarryingTheCurrentValue() {
    long created = store.create("/u", bytes("v1"));
    long updated = store.update("/u", bytes("v2"), created);
    long rev = store.currentRevision();

    assertThatThrownBy(() -> store.update("/u", bytes("v3"), created))
        .isInstanceOfSatisfying(
            RevisionConflict.class,
            e -> {
              assertThat(e.key()).isEqualTo("/u");
              assertThat(e.current().modRevision()).isEqualTo(updated);
              assertThat(e.current().createRevision()).isEqualTo(created);
              assertThat(text(e.current().value())).isEqualTo("v2");
            });
    assertThat(store.currentRevision()).isEqualTo(rev);
  }

  @Test
  void updateOfAMissingOrDeletedKeyThrowsKeyNotFound() {
    assertThatThrownBy(() -> store.update("/missing", bytes("v"), 1))
        .isInstanceOfSatisfying(KeyNotFound.class, e -> assertThat(e.key()).isEqualTo("/missing"));
    long created = store.create("/gone", bytes("v"));
    store.delete("/gone", created);
    assertThatThrownBy(() -> store.update("/gone", bytes("v"), created))
        .isInstanceOf(KeyNotFound.class);
    assertThatThrownBy(() -> store.update("/never", bytes("v"), 0)).isInstanceOf(KeyNotFound.class);
    assertThat(store.get("/never")).isEmpty();
  }

  @Test
  void concurrentCompareAndSwapLosesNoIncrement() throws Exception {
    store.create("/counter", bytes("0"));
    int threads = 8;
    int increments = 10;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < increments; i++) {
                    KeyValue current = store.get("/counter").orElseThrow();
                    while (true) {
                      int next = Integer.parseInt(text(current.value())) + 1;
                      try {
                        store.update(
                            "/counter", bytes(Integer.toString(next)), current.modRevision());
                        break;
                      } catch (RevisionConflict conflict) {
                        current = conflict.current();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> future : done) {
        future.get();
      }
    }
    assertThat(text(store.get("/counter").orElseThrow().value()))
        .isEqualTo(Integer.toString(threads * increments));
  }

  // ---- delete ----

  @Test
  void deleteWithZeroDeletesWhateverTheRevision() {
    store.create("/d", bytes("v"));
    long deleted = store.delete("/d", 0);

    assertThat(deleted).isEqualTo(store.currentRevision());
    assertThat(store.get("/d")).isEmpty();
  }

  @Test
  void deleteWithTheCurrentRevisionDeletes() {
    long created = store.create("/d", bytes("v"));
    long updated = store.update("/d", bytes("v2"), created);

    assertThat(store.delete("/d", updated)).isGreaterThan(updated);
    assertThat(store.get("/d")).isEmpty();
  }

  @Test
  void deleteWithAStaleRevisionThrowsRevisionConflictAndKeepsTheKey() {
    long created = store.create("/d", bytes("v1"));
    long updated = store.update("/d", bytes("v2"), created);

    assertThatThrownBy(() -> store.delete("/d", created))
        .isInstanceOfSatisfying(
            RevisionConflict.class,
            e -> {
              assertThat(e.current().modRevision()).isEqualTo(updated);
              assertThat(text(e.current().value())).isEqualTo("v2");
            });
    assertThat(store.get("/d")).isPresent();
  }

  @Test
  void deleteOfAMissingKeyThrowsKeyNotFound() {
    assertThatThrownBy(() -> store.delete("/missing", 0))
        .isInstanceOfSatisfying(KeyNotFound.class, e -> assertThat(e.key()).isEqualTo("/missing"));
    long created = store.create("/d", bytes("v"));
    store.delete("/d", created);
    assertThatThrownBy(() -> store.delete("/d", 0)).isInstanceOf(KeyNotFound.class);
  }

  // ---- revisions ----

  @Test
  void everyWriteGetsTheNextRevisionAndFailedWritesGetNone() {
    long start = store.currentRevision();
    long a = store.create("/rev/a", bytes("1"));
    long b = store.create("/rev/b", bytes("1"));
    long a2 = store.update("/rev/a", bytes("2"), a);
    assertThatThrownBy(() -> store.update("/rev/a", bytes("3"), a))
        .isInstanceOf(RevisionConflict.class);
    assertThatThrownBy(() -> store.create("/rev/b", bytes("1"))).isInstanceOf(KeyExists.class);
    long bDeleted = store.delete("/rev/b", 0);

    assertThat(List.of(a, b, a2, bDeleted))
        .containsExactly(start + 1, start + 2, start + 3, start + 4);
    assertThat(store.currentRevision()).isEqualTo(start + 4);
  }

  // ---- watch ----

  @Test
  void watchReplaysHistoryFromARevisionThenDeliversLiveEventsInOrder() {
    long created = store.create("/w/a", bytes("a1"));
    long updated = store.update("/w/a", bytes("a2"), created);
    store.create("/other/x", bytes("x"));

    Recorder recorder = new Recorder();
    try (Watch watch = store.watch("/w/", created - 1, recorder)) {
      long createdB = store.create("/w/b", bytes("b1"));
      long deletedA = store.delete("/w/a", updated);

      List<WatchEvent> events = recorder.awaitCount(4);

      assertThat(events)
          .extracting(WatchEvent::revision)
          .containsExactly(created, updated, createdB, deletedA);
      assertThat(events)
          .extracting(WatchEvent::type)
          .containsExactly(
              WatchEvent.Type.PUT,
              WatchEvent.Type.PUT,
              WatchEvent.Type.PUT,
              WatchEvent.Type.DELETE);
      assertThat(events.get(0).previous()).isNull();
      assertThat(text(events.get(0).kv().value())).isEqualTo("a1");
      assertThat(events.get(1).kv().createRevision()).isEqualTo(created);
      assertThat(text(events.get(1).kv().value())).isEqualTo("a2");
      assertThat(text(events.get(1).previous().value())).isEqualTo("a1");
      assertThat(events.get(1).previous().modRevision()).isEqualTo(created);
      assertThat(events.get(2).previous()).isNull();
      assertThat(events.get(3).kv().key()).isEqualTo("/w/a");
      assertThat(events.get(3).kv().value()).isNull();
      assertThat(text(events.get(3).previous().value())).isEqualTo("a2");
      assertThat(events.get(3).previous().modRevision()).isEqualTo(updated);
      assertThat(Collections.frequency(recorder.threads, recorder.threads.get(0)))
          .as("one delivery thread per watch")
          .isEqualTo(recorder.threads.size());
      assertThat(watch.done().toCompletableFuture()).isNotDone();
    }
  }

  @Test
  void watchFromTheCurrentRevisionSeesOnlyLaterChangesUnderItsPrefix() {
    store.create("/w/old", bytes("old"));
    Recorder recorder = new Recorder();
    try (Watch watch = store.watch("/w/", store.currentRevision(), recorder)) {
      store.create("/x/ignored", bytes("x"));
      store.create("/wx/ignored", bytes("x"));
      long created = store.create("/w/new", bytes("new"));
      store.create("/w/last", bytes("last"));

      List<WatchEvent> events = recorder.awaitCount(2);
      assertThat(events).extracting(e -> e.kv().key()).containsExactly("/w/new", "/w/last");
      assertThat(events.get(0).revision()).isEqualTo(created);
    }
  }

  @Test
  void watchOfAllKeysWithTheEmptyPrefix() {
    Recorder recorder = new Recorder();
    try (Watch watch = store.watch("", store.currentRevision(), recorder)) {
      store.create("/a", bytes("a"));
      store.create("/b/c", bytes("b"));
      assertThat(recorder.awaitCount(2))
          .extracting(e -> e.kv().key())
          .containsExactly("/a", "/b/c");
    }
  }

  @Test
  void watchSeesDeletesWithThePreviousValue() {
    long created = store.create("/d/a", bytes("v"));
    Recorder recorder = new Recorder();
    try (Watch watch = store.watch("/d/", created, recorder)) {
      long deleted = store.delete("/d/a", 0);

      WatchEvent event = recorder.awaitCount(1).get(0);
      assertThat(event.type()).isEqualTo(WatchEvent.Type.DELETE);
      assertThat(event.revision()).isEqualTo(deleted);
      assertThat(event.kv().key()).isEqualTo("/d/a");
      assertThat(event.previous().modRevision()).isEqualTo(created);
      assertThat(text(event.previous().value())).isEqualTo("v");
    }
  }

  @Test
  void aClosedWatchStopsDeliveringAndCompletesNormally() {
    Recorder recorder = new Recorder();
    Watch watch = store.watch("/c/", store.currentRevision(), recorder);
    store.create("/c/1", bytes("1"));
    recorder.awaitCount(1);

    watch.close();
    await().atMost(WAIT).until(() -> watch.done().toCompletableFuture().isDone());
    assertThat(watch.done().toCompletableFuture()).isCompletedWithValue(null);
    store.create("/c/2", bytes("2"));
    long last = store.create("/other", bytes("x"));
    // a second watch proves the writes were published before checking the closed one stayed quiet
    Recorder later = new Recorder();
    try (Watch probe = store.watch("/", last - 1, later)) {
      later.awaitCount(1);
    }
    assertThat(recorder.events).hasSize(1);
  }

  @Test
  void manyWatchesEachSeeTheirOwnPrefix() {
    Recorder first = new Recorder();
    Recorder second = new Recorder();
    long from = store.currentRevision();
    try (Watch a = store.watch("/one/", from, first);
        Watch b = store.watch("/two/", from, second)) {
      for (int i = 0; i < 20; i++) {
        store.create((i % 2 == 0 ? "/one/" : "/two/") + i, bytes("v"));
      }
      assertThat(first.awaitCount(10)).allMatch(e -> e.kv().key().startsWith("/one/"));
      assertThat(second.awaitCount(10)).allMatch(e -> e.kv().key().startsWith("/two/"));
    }
  }

  // ---- compaction ----

  @Test
  void compactionForgetsOlderRevisionsForRangesAndWatches() {
    long created = store.create("/cp/a", bytes("a1"));
    long updated = store.update("/cp/a", bytes("a2"), created);
    long createdB = store.create("/cp/b", bytes("b"));
    long deletedB = store.delete("/cp/b", createdB);
    long createdC = store.create("/cp/c", bytes("c"));

    store.compact(deletedB);

    assertThatThrownBy(() -> store.range("/cp/", created, null, 0))
        .isInstanceOfSatisfying(
            Compacted.class,
            e -> {
              assertThat(e.requestedRevision()).isEqualTo(created);
              assertThat(e.compactedRevision()).isEqualTo(deletedB);
            });
    assertThatThrownBy(() -> store.range("/cp/", updated, null, 0)).isInstanceOf(Compacted.class);
    assertThatThrownBy(() -> store.watch("/cp/", created, new Recorder()))
        .isInstanceOf(Compacted.class);
    RangeResult atCompaction = store.range("/cp/", deletedB, null, 0);
    assertThat(keys(atCompaction)).containsExactly("/cp/a");
    RangeResult now = store.range("/cp/", 0, null, 0);
    assertThat(keys(now)).containsExactly("/cp/a", "/cp/c");
    assertThat(text(now.items().get(0).value())).isEqualTo("a2");
    assertThat(now.items().get(0).createRevision()).isEqualTo(created);
    assertThat(store.get("/cp/b")).isEmpty();
    assertThat(store.currentRevision()).isEqualTo(createdC);

    Recorder recorder = new Recorder();
    try (Watch watch = store.watch("/cp/", deletedB, recorder)) {
      long next = store.update("/cp/a", bytes("a3"), updated);
      List<WatchEvent> events = recorder.awaitCount(2);
      assertThat(events).extracting(WatchEvent::revision).containsExactly(createdC, next);
      assertThat(text(events.get(1).previous().value())).isEqualTo("a2");
    }
  }

  @Test
  void compactingTwiceOrBackwardsIsHarmless() {
    long a = store.create("/k", bytes("1"));
    long b = store.update("/k", bytes("2"), a);
    store.compact(b);
    store.compact(b);
    store.compact(a);
    assertThat(text(store.get("/k").orElseThrow().value())).isEqualTo("2");
    long c = store.update("/k", bytes("3"), b);
    assertThat(c).isEqualTo(b + 1);
  }

  @Test
  void compactionOfTheLatestRevisionKeepsTheCurrentState() {
    long a = store.create("/k/a", bytes("1"));
    store.create("/k/b", bytes("2"));
    long deleted = store.delete("/k/b", 0);

    store.compact(deleted);

    assertThat(store.currentRevision()).isEqualTo(deleted);
    assertThat(keys(store.range("/k/", 0, null, 0))).containsExactly("/k/a");
    assertThat(store.create("/k/b", bytes("again"))).isEqualTo(deleted + 1);
    assertThat(store.get("/k/a").orElseThrow().modRevision()).isEqualTo(a);
  }

  // ---- concurrency ----

  @Test
  void concurrentWritersGetGapFreeUniqueRevisionsAndAWatchSeesThemAllInOrder() throws Exception {
    int writers = 32;
    int perWriter = 20;
    int total = writers * perWriter;
    long start = store.currentRevision();
    Recorder recorder = new Recorder();
    try (Watch watch = store.watch("/c/", start, recorder)) {
      List<Long> revisions = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch go = new CountDownLatch(1);
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          int writer = w;
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < perWriter; i++) {
                      revisions.add(store.create("/c/" + writer + "/" + i, bytes("v")));
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> future : done) {
          future.get();
        }
      }

      assertThat(revisions.stream().sorted().toList())
          .isEqualTo(LongStream.rangeClosed(start + 1, start + total).boxed().toList());
      List<WatchEvent> events = recorder.awaitCount(total);
      assertThat(events)
          .extracting(WatchEvent::revision)
          .isEqualTo(LongStream.rangeClosed(start + 1, start + total).boxed().toList());
      assertThat(store.range("/c/", 0, null, 0).items()).hasSize(total);
      assertThat(watch.done().toCompletableFuture()).isNotDone();
    }
  }
}
