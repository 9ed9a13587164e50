package dev.skiff.apiserver.rest;

import java.time.Duration;
import java.time.InstantSource;
import java.util.random.RandomGenerator;

/**
 * Settings of the resource handler.
 *
 * @param serviceCidr the range service cluster IPs come from, e.g. "10.43.0.0/16"
 * @param clock time for timestamps, ages and slow-watcher detection
 * @param random names, uids, watch timeouts
 * @param watchCacheCapacity events each watch cache retains
 * @param bookmarkInterval how often watchers get a BOOKMARK
 * @param maxUnwritable how long a watcher may stay unwritable before it is dropped
 * @param minWatchTimeout the shortest server-chosen watch timeout (the longest is twice it)
 * @param freshnessWait how long a consistent read waits for the watch cache
 */
public record RegistryOptions(
    String serviceCidr,
    InstantSource clock,
    RandomGenerator random,
    int watchCacheCapacity,
    Duration bookmarkInterval,
    Duration maxUnwritable,
    Duration minWatchTimeout,
    Duration freshnessWait) {

  /**
   * Kubernetes-like defaults: 10.43.0.0/16, 10,000 events, bookmarks each minute, 30-60 min
   * watches.
   */
  public static RegistryOptions defaults() {
    return new RegistryOptions(
        "10.43.0.0/16",
        InstantSource.system(),
        new java.security.SecureRandom(),
        10_000,
        Duration.ofMinutes(1),
        Duration.ofSeconds(10),
        Duration.ofMinutes(30),
        Duration.ofSeconds(3));
  }

  public RegistryOptions withWatchCacheCapacity(int capacity) {
    return new RegistryOptions(
        serviceCidr,
        clock,
        random,
        capacity,
        bookmarkInterval,
        maxUnwritable,
        minWatchTimeout,
        freshnessWait);
  }

  public RegistryOptions withServiceCidr(String cidr) {
    return new RegistryOptions(
        cidr,
        clock,
        random,
        watchCacheCapacity,
        bookmarkInterval,
        maxUnwritable,
        minWatchTimeout,
        freshnessWait);
  }

  public RegistryOptions withClock(InstantSource newClock) {
    return new RegistryOptions(
        serviceCidr,
        newClock,
        random,
        watchCacheCapacity,
        bookmarkInterval,
        maxUnwritable,
        minWatchTimeout,
        freshnessWait);
  }

  public RegistryOptions withBookmarkInterval(Duration interval) {
    return new RegistryOptions(
        serviceCidr,
        clock,
        random,
        watchCacheCapacity,
        interval,
        maxUnwritable,
        minWatchTimeout,
        freshnessWait);
  }
}
