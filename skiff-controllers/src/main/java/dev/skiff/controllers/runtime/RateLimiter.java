package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.time.InstantSource;

/** Decides how long an item waits before its next retry. */
public interface RateLimiter<K> {
  /** The delay before the item may be processed again; counts as one more retry. */
  Duration when(K item);

  void forget(K item);

  int numRequeues(K item);

  /**
   * Kubernetes' default for controllers: the slower of a per-item exponential backoff (5 ms
   * doubling up to 1000 s) and an overall token bucket of 10 qps with a burst of 100.
   */
  static <K> RateLimiter<K> defaultControllerRateLimiter(InstantSource clock) {
    return new MaxOfRateLimiter<>(
        new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000)),
        new BucketRateLimiter<>(clock, 10, 100));
  }
}
