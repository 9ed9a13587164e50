package dev.skiff.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DefaultRateLimitingQueueTest {
  private final FakeClock clock = new FakeClock();
  private final DefaultRateLimitingQueue<String> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);

  @AfterEach
  void close() {
    queue.close();
  }

  @Test
  void addingAQueuedItemAgainDoesNotQueueItTwice() throws InterruptedException {
    queue.add("a");
    queue.add("b");
    queue.add("a");

    assertThat(queue.length()).isEqualTo(2);
    assertThat(queue.get()).isEqualTo("a");
    assertThat(queue.get()).isEqualTo("b");
  }

  @Test
  void itemAddedWhileProcessingIsRequeuedOnlyAfterDone() throws InterruptedException {
    queue.add("a");
    String item = queue.get();
    queue.add("a");

    assertThat(queue.length()).as("not handed to a second worker while processing").isZero();
    queue.done(item);
    assertThat(queue.length()).isEqualTo(1);
    assertThat(queue.get()).isEqualTo("a");
  }

  @Test
  void doneWithoutReAddDropsTheItem() throws InterruptedException {
    queue.add("a");
    queue.done(queue.get());

    assertThat(queue.length()).isZero();
  }

  @Test
  void addAfterWaitsForTheClock() {
    queue.addAfter("a", Duration.ofSeconds(10));
    queue.promoteReady();
    assertThat(queue.length()).isZero();

    clock.advance(Duration.ofSeconds(10));
    queue.promoteReady();
    assertThat(queue.length()).isEqualTo(1);
    assertThat(queue.waitingCount()).isZero();
  }

  @Test
  void anEarlierAddAfterWinsOverALaterOne() {
    queue.addAfter("a", Duration.ofSeconds(10));
    queue.addAfter("a", Duration.ofSeconds(2));
    queue.addAfter("a", Duration.ofSeconds(30));

    clock.advance(Duration.ofSeconds(2));
    queue.promoteReady();
    assertThat(queue.length()).isEqualTo(1);
    assertThat(queue.waitingCount()).isZero();
  }

  @Test
  void retriesBackOffExponentiallyAndForgetResets() {
    List<Duration> delays = new ArrayList<>();
    RateLimiter<String> limiter =
        new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000));
    for (int i = 0; i < 4; i++) {
      delays.add(limiter.when("a"));
    }
    assertThat(delays)
        .containsExactly(
            Duration.ofMillis(5),
            Duration.ofMillis(10),
            Duration.ofMillis(20),
            Duration.ofMillis(40));
    assertThat(limiter.numRequeues("a")).isEqualTo(4);
    limiter.forget("a");
    assertThat(limiter.numRequeues("a")).isZero();
    assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void backoffIsCappedAtTheMaximum() {
    RateLimiter<String> limiter =
        new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000));
    Duration last = Duration.ZERO;
    for (int i = 0; i < 100; i++) {
      last = limiter.when("a");
    }
    assertThat(last).isEqualTo(Duration.ofSeconds(1000));
  }

  @Test
  void bucketAllowsTheBurstThenSpacesRetriesAtQps() {
    BucketRateLimiter<String> bucket = new BucketRateLimiter<>(clock, 10, 100);
    for (int i = 0; i < 100; i++) {
      assertThat(bucket.when("item-" + i)).isZero();
    }
    assertThat(bucket.when("x")).isEqualTo(Duration.ofMillis(100));
    assertThat(bucket.when("y")).isEqualTo(Duration.ofMillis(200));

    clock.advance(Duration.ofSeconds(1));
    // 10 tokens came back, 2 were owed
    for (int i = 0; i < 8; i++) {
      assertThat(bucket.when("z" + i)).isZero();
    }
    assertThat(bucket.when("w")).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void defaultLimiterTakesTheSlowerOfBothAndAddRateLimitedCountsRequeues() {
    queue.addRateLimited("a");
    queue.addRateLimited("a");
    assertThat(queue.numRequeues("a")).isEqualTo(2);
    assertThat(queue.waitingCount()).isEqualTo(1);

    clock.advance(Duration.ofMillis(5));
    queue.promoteReady();
    assertThat(queue.length()).isEqualTo(1);

    queue.forget("a");
    assertThat(queue.numRequeues("a")).isZero();
  }

  @Test
  void shutDownReleasesBlockedGetters() throws Exception {
    List<String> got = new ArrayList<>();
    Thread getter =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    got.add(String.valueOf(queue.get()));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    queue.shutDown();
    getter.join();

    assertThat(got).containsExactly("null");
    queue.add("late");
    assertThat(queue.length()).isZero();
  }

  @Test
  void metricsCountAddsDepthAndRetries() throws InterruptedException {
    ControllerMetrics metrics = new ControllerMetrics();
    try (DefaultRateLimitingQueue<String> measured =
        DefaultRateLimitingQueue.create(clock, metrics.forQueue("replicaset"))) {
      measured.add("a");
      measured.add("b");
      String item = measured.get();
      clock.advance(Duration.ofMillis(250));
      measured.done(item);
      // after the clock's last move, so the retry stays waiting: its delay is never over
      measured.addRateLimited("c");
    }

    String text = metrics.metricsText();
    assertThat(text)
        .contains("workqueue_adds_total{name=\"replicaset\"} 2.0")
        .contains("workqueue_depth{name=\"replicaset\"} 1.0")
        .contains("workqueue_retries_total{name=\"replicaset\"} 1.0")
        .contains("workqueue_work_duration_seconds_count{name=\"replicaset\"} 1");
  }
}
