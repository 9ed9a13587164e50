package dev.skiff.apiserver.watch;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * What a watcher asked for.
 *
 * @param namespace only objects of this namespace; "" for all
 * @param filter label and field selectors, applied to each state of an object
 * @param resourceVersion where to start: null or 0 sends the current state as ADDED first; N sends
 *     the events after N
 * @param sendInitialEvents with a resourceVersion, also sends the state at it as ADDED (WatchList)
 * @param bookmarks whether the watcher accepts BOOKMARK events
 * @param timeout when the server ends the watch
 * @param encoder the output format
 */
public record WatchRequest(
    String namespace,
    Predicate<CachedObject> filter,
    Long resourceVersion,
    boolean sendInitialEvents,
    boolean bookmarks,
    Duration timeout,
    EventEncoder encoder) {}
