package dev.skiff.kubelet.pod;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-key exponential back-off as the kubelet keeps it for container restarts (CrashLoopBackOff)
 * and image pulls: the first failure is retried at once and arms {@code initial}; each further
 * failure while armed doubles it up to {@code max}. An entry whose last failure is more than twice
 * {@code max} before the new one (10 minutes for the kubelet's 5 minute cap) starts over, which is
 * how a container that ran for 10 minutes gets its back-off reset.
 */
public final class Backoff {
  private final InstantSource clock;
  private final Duration initial;
  private final Duration max;
  private final Map<String, Entry> entries = new HashMap<>();

  private record Entry(Duration backoff, Instant lastUpdate) {}

  public Backoff(InstantSource clock, Duration initial, Duration max) {
    this.clock = clock;
    this.initial = initial;
    this.max = max;
  }

  /** The kubelet's container restart and image pull back-off: 10 s doubling to 5 min. */
  public static Backoff kubelet(InstantSource clock) {
    return new Backoff(clock, Duration.ofSeconds(10), Duration.ofMinutes(5));
  }

  /** Whether a failure at {@code eventTime} must still wait before the next attempt. */
  public synchronized boolean inBackOffSince(String key, Instant eventTime) {
    Entry entry = entries.get(key);
    if (entry == null || expired(eventTime, entry.lastUpdate())) {
      return false;
    }
    return Duration.between(eventTime, clock.instant()).compareTo(entry.backoff()) < 0;
  }

  /**
   * Whether an attempt at {@code now} must still wait since the key's last recorded failure (how
   * image pulls back off, where the failure time is when the kubelet saw it).
   */
  public synchronized boolean inBackOffSinceUpdate(String key, Instant now) {
    Entry entry = entries.get(key);
    if (entry == null || expired(now, entry.lastUpdate())) {
      return false;
    }
    return Duration.between(entry.lastUpdate(), now).compareTo(entry.backoff()) < 0;
  }

  /** When the key's back-off since its last recorded failure ends; now without one. */
  public synchronized Instant retryAfterUpdate(String key) {
    Entry entry = entries.get(key);
    return entry == null ? clock.instant() : entry.lastUpdate().plus(entry.backoff());
  }

  /** Records a failure at {@code eventTime}: arms or doubles the key's back-off. */
  public synchronized void next(String key, Instant eventTime) {
    Entry entry = entries.get(key);
    Duration backoff;
    if (entry == null || expired(eventTime, entry.lastUpdate())) {
      backoff = initial;
    } else {
      Duration doubled = entry.backoff().multipliedBy(2);
      backoff = doubled.compareTo(max) > 0 ? max : doubled;
    }
    entries.put(key, new Entry(backoff, clock.instant()));
  }

  /** The key's current back-off, zero when there is none. */
  public synchronized Duration get(String key) {
    Entry entry = entries.get(key);
    return entry == null ? Duration.ZERO : entry.backoff();
  }

  /** When a failure at {@code eventTime} may be retried, or {@code eventTime} without back-off. */
  public synchronized Instant retryAt(String key, Instant eventTime) {
    Entry entry = entries.get(key);
    return entry == null ? eventTime : eventTime.plus(entry.backoff());
  }

  /** Forgets the keys that start with {@code prefix} (a pod that is gone). */
  public synchronized void removeAll(String prefix) {
    entries.keySet().removeIf(k -> k.startsWith(prefix));
  }

  private boolean expired(Instant eventTime, Instant lastUpdate) {
    return Duration.between(lastUpdate, eventTime).compareTo(max.multipliedBy(2)) > 0;
  }

  /** A duration the way Go prints it, as Kubernetes' messages show it: 10s, 1m20s, 5m0s. */
  public static String goDuration(Duration d) {
    long totalMillis = d.toMillis();
    if (totalMillis == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long hours = d.toHours();
    long minutes = d.toMinutesPart();
    long seconds = d.toSecondsPart();
    long millis = d.toMillisPart();
    if (totalMillis < 1000) {
      return millis + "ms";
    }
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(seconds);
    if (millis > 0) {
      String fraction = String.format("%03d", millis).replaceAll("0+$", "");
      out.append('.').append(fraction);
    }
    return out.append('s').toString();
  }
}
