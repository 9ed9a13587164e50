package dev.skiff.kubelet.prober;

import java.time.Duration;
import java.time.InstantSource;

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
    return new SystemProbeScheduler();
  }

  /** Stops the timer; probes that already run finish on their own. */
  default void shutdown() {}
}
