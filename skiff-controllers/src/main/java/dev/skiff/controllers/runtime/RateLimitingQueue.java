package dev.skiff.controllers.runtime;

/** A {@link DelayingQueue} whose retries are delayed by a {@link RateLimiter}. */
public interface RateLimitingQueue<K> extends DelayingQueue<K> {
  /** Adds the item after the delay its rate limiter assigns (a retry). */
  void addRateLimited(K item);

  /** Stops tracking the item's failures: its next retry starts from the base delay. */
  void forget(K item);

  int numRequeues(K item);
}
