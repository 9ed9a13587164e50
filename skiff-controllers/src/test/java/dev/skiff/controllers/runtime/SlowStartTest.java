package dev.skiff.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlowStartTest {

  @Test
  void allCallsSucceedInGrowingBatches() {
    AtomicInteger calls = new AtomicInteger();
    SlowStart.Outcome outcome = SlowStart.run(10, 1, i -> calls.incrementAndGet() > 0);

    assertThat(outcome.succeeded()).isEqualTo(10);
    assertThat(outcome.skipped()).isZero();
    assertThat(outcome.firstError()).isNull();
  }

  @Test
  void aFailingBatchStopsTheRest() {
    AtomicInteger calls = new AtomicInteger();
    // batches 1, 2, 4: call index 3 (third batch) fails, so batch sizes 1+2+4 = 7 calls run
    SlowStart.Outcome outcome =
        SlowStart.run(
            20,
            1,
            i -> {
              calls.incrementAndGet();
              if (i == 3) {
                throw new IllegalStateException("quota exceeded");
              }
              return true;
            });

    assertThat(calls.get()).isEqualTo(7);
    assertThat(outcome.succeeded()).isEqualTo(6);
    assertThat(outcome.skipped()).isEqualTo(13);
    assertThat(outcome.firstError()).hasMessage("quota exceeded");
  }

  @Test
  void zeroCallsDoNothing() {
    SlowStart.Outcome outcome = SlowStart.run(0, 1, i -> true);
    assertThat(outcome.succeeded()).isZero();
  }
}
