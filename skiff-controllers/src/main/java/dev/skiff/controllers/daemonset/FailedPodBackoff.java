package dev.skiff.controllers.daemonset;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * The delay before a DaemonSet replaces a failed pod on the same node again: 1 s, doubling up to 15
 * min, so a pod that keeps failing does not hot-loop (as Kubernetes' failedPodsBackoff).
 */
final class FailedPodBackoff {
  static final Duration INITIAL = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofMinutes(15);

  private record Entry(Duration delay, Instant last) {}

  private final InstantSource clock;
  private final Map<String, Entry> entries = new HashMap<>();

  FailedPodBackoff(InstantSource clock) {
    this.clock = clock;
  }

  /** How long until the key may act again; zero when it may act now. */
  synchronized Duration remaining(String key) {
    Entry entry = entries.get(key);
    if (entry == null) {
      return Duration.ZERO;
    }
    Instant now = clock.instant();
    if (Duration.between(entry.last(), now).compareTo(MAX.multipliedBy(2)) > 0) {
      entries.remove(key);
      return Duration.ZERO;
    }
    Duration left = Duration.between(now, entry.last().plus(entry.delay()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** Records an action now and doubles the next delay. */
  synchronized void next(String key) {
    Entry entry = entries.get(key);
    Duration delay =
        entry == null
            ? INITIAL
            : entry.delay().multipliedBy(2).compareTo(MAX) > 0
                ? MAX
                : entry.delay().multipliedBy(2);
    entries.put(key, new Entry(delay, clock.instant()));
  }
}
