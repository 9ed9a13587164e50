package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Per-item backoff: base * 2^failures, capped at max; {@link #forget} resets an item. */
public final class ItemExponentialFailureRateLimiter<K> implements RateLimiter<K> {
  private final Duration base;
  private final Duration max;
  private final Map<K, Integer> failures = new HashMap<>();

  public ItemExponentialFailureRateLimiter(Duration base, Duration max) {
    this.base = base;
    this.max = max;
  }

  @Override
  public synchronized Duration when(K item) {
    int exponent = failures.merge(item, 1, Integer::sum) - 1;
    // 2^62 nanoseconds is beyond any sane max; stop doubling before overflow.
    if (exponent >= 62) {
      return max;
    }
    double nanos = base.toNanos() * Math.pow(2, exponent);
    if (nanos >= max.toNanos()) {
      return max;
    }
    return Duration.ofNanos((long) nanos);
  }

  @Override
  public synchronized void forget(K item) {
    failures.remove(item);
  }

  @Override
  public synchronized int numRequeues(K item) {
    return failures.getOrDefault(item, 0);
  }
}
