package dev.skiff.scheduler.framework;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Runs CPU-bound work over an index range on a fixed pool of platform threads, in chunks, with the
 * calling thread taking part. Parallelism 1 runs everything on the caller (deterministic).
 */
public final class Parallelizer implements AutoCloseable {
  private final int parallelism;
  private final ExecutorService pool;

  public Parallelizer(int parallelism) {
    this.parallelism = Math.max(1, parallelism);
    this.pool =
        this.parallelism == 1
            ? null
            : Executors.newFixedThreadPool(
                this.parallelism - 1,
                r -> {
                  Thread t = new Thread(r, "scheduler-parallel");
                  t.setDaemon(true);
                  return t;
                });
  }

  /** One worker per available processor. */
  public static Parallelizer ofAvailableProcessors() {
    return new Parallelizer(Runtime.getRuntime().availableProcessors());
  }

  /** Runs {@code work} for each index in [0, n) until {@code stop} turns true. */
  public void until(int n, IntConsumer work, BooleanSupplier stop) {
    int chunk = chunkSize(n);
    if (pool == null || n <= chunk) {
      for (int i = 0; i < n && !stop.getAsBoolean(); i++) {
        work.accept(i);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Runnable worker =
        () -> {
          try {
            int start;
            while (!stop.getAsBoolean() && (start = next.getAndAdd(chunk)) < n) {
              int end = Math.min(n, start + chunk);
              for (int i = start; i < end && !stop.getAsBoolean(); i++) {
                work.accept(i);
              }
            }
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          }
        };
    int helpers = Math.min(parallelism - 1, (n + chunk - 1) / chunk - 1);
    CountDownLatch done = new CountDownLatch(helpers);
    for (int h = 0; h < helpers; h++) {
      pool.execute(
          () -> {
            try {
              worker.run();
            } finally {
              done.countDown();
            }
          });
    }
    worker.run();
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for parallel work", e);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  public void until(int n, IntConsumer work) {
    until(n, work, () -> false);
  }

  private int chunkSize(int n) {
    int s = (int) Math.sqrt(n);
    int r = n / parallelism + 1;
    return Math.max(1, Math.min(s, r));
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
