package dev.skiff.controllers.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Slow-start batching as Kubernetes controllers create pods: batches of 1, 2, 4, ... calls; a batch
 * with any failure stops the rest, so a quota or admission error costs one call, not hundreds.
 */
public final class SlowStart {
  private SlowStart() {}

  /** The outcome: how many calls succeeded and how many were skipped after a failed batch. */
  public record Outcome(int succeeded, int skipped, RuntimeException firstError) {}

  /**
   * Runs {@code count} calls starting with a batch of {@code initialBatch}; call(i) returns true on
   * success or throws. Within a batch calls run in parallel on virtual threads.
   */
  public static Outcome run(int count, int initialBatch, IntPredicate call) {
    int remaining = count;
    int succeeded = 0;
    int index = 0;
    for (int batch = Math.min(remaining, initialBatch);
        batch > 0;
        batch = Math.min(2 * batch, remaining)) {
      List<Thread> threads = new ArrayList<>();
      RuntimeException[] errors = new RuntimeException[batch];
      boolean[] ok = new boolean[batch];
      for (int i = 0; i < batch; i++) {
        int slot = i;
        int callIndex = index + i;
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        ok[slot] = call.test(callIndex);
                      } catch (RuntimeException e) {
                        errors[slot] = e;
                      }
                    }));
      }
      for (Thread thread : threads) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted during slow-start batch", e);
        }
      }
      RuntimeException firstError = null;
      int batchSucceeded = 0;
      for (int i = 0; i < batch; i++) {
        if (ok[i]) {
          batchSucceeded++;
        } else if (firstError == null) {
          firstError =
              errors[i] != null ? errors[i] : new IllegalStateException("call " + i + " failed");
        }
      }
      succeeded += batchSucceeded;
      remaining -= batch;
      index += batch;
      if (firstError != null) {
        return new Outcome(succeeded, remaining, firstError);
      }
    }
    return new Outcome(succeeded, 0, null);
  }
}
