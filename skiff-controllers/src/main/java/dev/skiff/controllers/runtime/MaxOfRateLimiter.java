package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.util.List;

/** Combines limiters: the delay is the longest any of them asks for. */
public final class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private final List<RateLimiter<K>> limiters;

  public MaxOfRateLimiter(RateLimiter<K> first, RateLimiter<K> second) {
    this.limiters = List.of(first, second);
  }

  @Override
  public Duration when(K item) {
    Duration longest = Duration.ZERO;
    for (RateLimiter<K> limiter : limiters) {
      Duration delay = limiter.when(item);
      if (delay.compareTo(longest) > 0) {
        longest = delay;
      }
    }
    return longest;
  }

  @Override
  public void forget(K item) {
    limiters.forEach(limiter -> limiter.forget(item));
  }

  @Override
  public int numRequeues(K item) {
    int most = 0;
    for (RateLimiter<K> limiter : limiters) {
      most = Math.max(most, limiter.numRequeues(item));
    }
    return most;
  }
}
