package dev.skiff.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.storage.Compacted;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreContract;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
  @TempDir Path dir;

  @Override
  protected Store newStore() {
    return new SqliteStore(dir.resolve("db").resolve("state.db"));
  }

  private SqliteStore sqlite() {
    return (SqliteStore) store;
  }

  @Test
  void reopeningRecoversValuesRevisionsAndTheCompactedRevision() {
    long a = store.create("/k/a", bytes("a1"));
    long a2 = store.update("/k/a", bytes("a2"), a);
    long b = store.create("/k/b", bytes("b"));
    long deleted = store.delete("/k/b", b);
    store.compact(a2);
    store.close();

    store = newStore();

    assertThat(store.currentRevision()).isEqualTo(deleted);
    KeyValue kv = store.get("/k/a").orElseThrow();
    assertThat(text(kv.value())).isEqualTo("a2");
    assertThat(kv.createRevision()).isEqualTo(a);
    assertThat(store.get("/k/b")).isEmpty();
    assertThatThrownBy(() -> store.range("/k/", a, null, 0)).isInstanceOf(Compacted.class);
    assertThat(keys(store.range("/k/", b, null, 0))).containsExactly("/k/a", "/k/b");
    Recorder recorder = new Recorder();
    try (Watch watch = store.watch("/k/", a2, recorder)) {
      List<WatchEvent> replayed = recorder.awaitCount(2);
      assertThat(replayed).extracting(WatchEvent::revision).containsExactly(b, deleted);
      assertThat(replayed.get(1).type()).isEqualTo(WatchEvent.Type.DELETE);
      assertThat(text(replayed.get(1).previous().value())).isEqualTo("b");
    }
    assertThat(store.update("/k/a", bytes("a3"), a2)).isEqualTo(deleted + 1);
    assertThat(store.create("/k/b", bytes("again"))).isEqualTo(deleted + 2);
  }

  @Test
  void reopeningAfterCompactingAwayTheLatestTombstoneKeepsTheRevision() {
    store.create("/k", bytes("v"));
    long deleted = store.delete("/k", 0);
    store.compact(deleted);
    store.close();

    store = newStore();

    assertThat(store.currentRevision()).isEqualTo(deleted);
    assertThat(store.create("/k", bytes("v"))).isEqualTo(deleted + 1);
  }

  @Test
  void groupCommitPutsConcurrentWritesIntoFewerTransactions() throws Exception {
    int writers = 32;
    int perWriter = 50;
    long before = sqlite().transactionCount();
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
                    store.create("/g/" + writer + "/" + i, bytes("v"));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> future : done) {
        future.get();
      }
    }
    long transactions = sqlite().transactionCount() - before;

    assertThat(store.range("/g/", 0, null, 0).items()).hasSize(writers * perWriter);
    assertThat(transactions).isPositive().isLessThan(writers * perWriter);
  }

  @Test
  void aWatchFromAnOldRevisionReplaysTheTableThenGoesLiveWithoutGapOrDuplicate() throws Exception {
    long start = store.currentRevision();
    int writers = 8;
    int perWriter = 200;
    Recorder recorder = new Recorder();
    List<Watch> watches = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perWriter; i++) {
                    store.create("/live/" + writer + "/" + i, bytes("v"));
                  }
                  return null;
                }));
      }
      // start watching from the beginning while the writers are busy
      while (store.currentRevision() < start + 100) {
        Thread.onSpinWait();
      }
      watches.add(store.watch("/live/", start, recorder));
      for (Future<?> future : done) {
        future.get();
      }
    }
    int total = writers * perWriter;
    List<WatchEvent> events = recorder.awaitCount(total);
    watches.forEach(Watch::close);

    assertThat(events)
        .extracting(WatchEvent::revision)
        .isEqualTo(LongStream.rangeClosed(start + 1, start + total).boxed().toList());
  }

  @Test
  void aSecondStoreOnTheSameFileIsRefused() {
    assertThatThrownBy(() -> new SqliteStore(sqlite().file()))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining("in use");
  }

  @Test
  void anUnwritablePathFailsFastWithAOneLineMessage() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");

    assertThatThrownBy(() -> new SqliteStore(notADirectory.resolve("db").resolve("state.db")))
        .isInstanceOf(StoreUnavailable.class)
        .hasMessageContaining(notADirectory.toString())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void noAcknowledgedWriteIsLostWhenTheProcessIsKilled() throws Exception {
    store.close();
    Path file = dir.resolve("killed").resolve("state.db");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                SqliteAckWriter.class.getName(),
                file.toString(),
                "16")
            .redirectError(dir.resolve("child.err").toFile())
            .start();
    Map<String, Long> acknowledged = new HashMap<>();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        String[] parts = line.split(" ");
        if (parts.length == 3 && parts[0].equals("ACK")) {
          acknowledged.put(parts[1], Long.parseLong(parts[2]));
          if (acknowledged.size() == 2000) {
            // SIGKILL through the handle, which (unlike Process) keeps the output readable
            child.toHandle().destroyForcibly();
          }
        }
      }
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue())
        .as("killed by SIGKILL; child stderr: %s", Files.readString(dir.resolve("child.err")))
        .isEqualTo(137);
    assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(2000);

    store = new SqliteStore(file);
    for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
      KeyValue kv = store.get(ack.getKey()).orElse(null);
      assertThat(kv).as("acknowledged key %s", ack.getKey()).isNotNull();
      assertThat(kv.modRevision()).isEqualTo(ack.getValue());
    }
    assertThat(store.currentRevision())
        .isGreaterThanOrEqualTo(
            acknowledged.values().stream().mapToLong(v -> v).max().orElseThrow());
  }
}
