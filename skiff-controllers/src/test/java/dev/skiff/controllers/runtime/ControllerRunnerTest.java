package dev.skiff.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControllerRunnerTest {
  private final FakeClock clock = new FakeClock();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final ObjectKey key = new ObjectKey("default", "web");

  @AfterEach
  void close() {
    queue.close();
  }

  private ControllerRunner runner(Reconciler reconciler) {
    return new ControllerRunner("test", queue, reconciler, 1, List.of());
  }

  @Test
  void successForgetsTheBackoff() throws InterruptedException {
    queue.addRateLimited(key);
    clock.advance(Duration.ofSeconds(1));
    queue.promoteReady();
    runner(k -> Result.done()).processNextItem();

    assertThat(queue.numRequeues(key)).isZero();
    assertThat(queue.length()).isZero();
  }

  @Test
  void anExceptionRequeuesWithBackoff() throws InterruptedException {
    queue.add(key);
    runner(
            k -> {
              throw new IllegalStateException("boom");
            })
        .processNextItem();

    assertThat(queue.numRequeues(key)).isEqualTo(1);
    assertThat(queue.waitingCount()).isEqualTo(1);
  }

  @Test
  void requeueAfterWaitsTheGivenDelay() throws InterruptedException {
    List<ObjectKey> seen = new ArrayList<>();
    ControllerRunner runner =
        runner(
            k -> {
              seen.add(k);
              return Result.requeueAfter(Duration.ofSeconds(30));
            });
    queue.add(key);
    runner.processNextItem();
    clock.advance(Duration.ofSeconds(29));
    queue.promoteReady();
    assertThat(queue.length()).isZero();
    clock.advance(Duration.ofSeconds(1));
    queue.promoteReady();
    runner.processNextItem();

    assertThat(seen).containsExactly(key, key);
  }

  @Test
  void shutDownEndsTheLoop() throws InterruptedException {
    queue.shutDown();
    assertThat(runner(k -> Result.done()).processNextItem()).isFalse();
  }

  @Test
  void soonestResultWins() {
    assertThat(
            Result.requeueAfter(Duration.ofSeconds(5))
                .soonest(Result.requeueAfter(Duration.ofSeconds(2))))
        .isEqualTo(Result.requeueAfter(Duration.ofSeconds(2)));
    assertThat(Result.done().soonest(Result.requeueAfter(Duration.ofSeconds(2))))
        .isEqualTo(Result.requeueAfter(Duration.ofSeconds(2)));
    assertThat(Result.requeue().soonest(Result.done())).isEqualTo(Result.requeue());
  }
}
