package dev.skiff.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.storage.Store;
import dev.skiff.storage.StoreContract;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Watch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class MemoryStoreTest extends StoreContract {
  @Override
  protected Store newStore() {
    return new MemoryStore();
  }

  @Test
  void aWatchThatFallsTooFarBehindIsEndedWithoutBlockingWriters() throws Exception {
    try (MemoryStore small = new MemoryStore(10)) {
      CountDownLatch release = new CountDownLatch(1);
      Watch stuck =
          small.watch(
              "/",
              0,
              event -> {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      for (int i = 0; i < 50; i++) {
        small.create("/k" + i, bytes("v"));
      }
      release.countDown();

      CompletableFuture<Void> done = stuck.done().toCompletableFuture();
      await().atMost(WAIT).until(done::isDone);
      assertThat(done)
          .failsWithin(WAIT)
          .withThrowableThat()
          .havingCause()
          .isInstanceOf(StoreUnavailable.class)
          .withMessageContaining("fell behind");
      assertThat(small.currentRevision()).isEqualTo(50);
    }
  }
}
