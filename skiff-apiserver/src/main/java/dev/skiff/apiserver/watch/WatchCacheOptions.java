package dev.skiff.apiserver.watch;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Tuning of the watch caches.
 *
 * @param capacity how many recent events each cache retains for watches from a resourceVersion
 * @param bookmarkInterval how often watchers that accept bookmarks receive one
 * @param maxUnwritable how long a watcher may stay unwritable before it is dropped
 * @param clock the time source for slow-watcher detection
 * @param scheduler runs bookmarks and watch timeouts
 */
public record WatchCacheOptions(
    int capacity,
    Duration bookmarkInterval,
    Duration maxUnwritable,
    InstantSource clock,
    ScheduledExecutorService scheduler) {}
