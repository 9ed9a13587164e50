package dev.skiff.kubelet.prober;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Real time: one timer thread that starts each due probe on its own virtual thread. */
final class SystemProbeScheduler implements ProbeScheduler {
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "probe-timer");
            t.setDaemon(true);
            return t;
          });

  @Override
  public Instant instant() {
    return Instant.now();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> f =
        timer.schedule(
            () -> {
              Thread.ofVirtual().name("probe").start(task);
            },
            Math.max(0, delay.toNanos()),
            TimeUnit.NANOSECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public void shutdown() {
    timer.shutdownNow();
  }
}
