package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * An overall token bucket shared by all items: each retry reserves a token and waits until the
 * bucket would hold one (tokens refill at qps, up to burst). It tracks no items, so {@link #forget}
 * and {@link #numRequeues} do nothing.
 */
public final class BucketRateLimiter<K> implements RateLimiter<K> {
  private final InstantSource clock;
  private final double qps;
  private final double burst;
  private double tokens;
  private Instant last;

  public BucketRateLimiter(InstantSource clock, double qps, int burst) {
    this.clock = clock;
    this.qps = qps;
    this.burst = burst;
    this.tokens = burst;
    this.last = clock.instant();
  }

  @Override
  public synchronized Duration when(K item) {
    Instant now = clock.instant();
    if (now.isAfter(last)) {
      double elapsedSeconds = Duration.between(last, now).toNanos() / 1e9;
      tokens = Math.min(burst, tokens + elapsedSeconds * qps);
      last = now;
    }
    tokens -= 1;
    if (tokens >= 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil(-tokens / qps * 1e9));
  }

  @Override
  public void forget(K item) {}

  @Override
  public int numRequeues(K item) {
    return 0;
  }
}
