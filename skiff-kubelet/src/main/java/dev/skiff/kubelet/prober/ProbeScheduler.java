package dev.skiff.kubelet.prober;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The time probe workers live in: when a probe runs next, and what time it is (for
 * initialDelaySeconds). The kubelet uses {@link #system()}; tests pass a fake they advance by hand.
 */
public interface ProbeScheduler extends InstantSource {

  /** Runs {@code task} once after {@code delay}; the handle cancels it if it has not started. */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that has not run yet. */
  interface Cancellable {
    void cancel();
  }

  /** Real time: one timer thread; each probe runs on its own virtual thread. */
  static ProbeScheduler system() {
    return new SystemScheduler();
  }

  /** Stops the timer; probes that already run finish on their own. */
  default void shutdown() {}

  /** The real-time scheduler. */
  final class SystemScheduler implements ProbeScheduler {
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "probe-timer");
              t.setDaemon(true);
              return t;
            });

    private SystemScheduler() {}

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.now();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      ScheduledFuture<?> f =
          timer.schedule(
              () -> Thread.ofVirtual().name("probe").start(task),
              Math.max(0, delay.toNanos()),
              TimeUnit.NANOSECONDS);
      return () -> f.cancel(false);
    }

    @Override
    public void shutdown() {
      timer.shutdownNow();
    }
  }
}
