package dev.skiff.client.events;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Aggregates repeats of one event (same object, type, reason, message and source) into one Event
 * object with a growing count, as Kubernetes' event correlator does. Holds a bounded LRU of
 * recently written events.
 */
public final class EventCorrelator {
  private static final int MAX_ENTRIES = 4096;

  /** One event's identity: what must match for a repeat to be counted on the same object. */
  public record EventKey(
      String source,
      String involvedUid,
      String involvedKind,
      String namespace,
      String name,
      String type,
      String reason,
      String message) {}

  /** The Event object already written for a key, and how often it happened. */
  public record Seen(String eventName, int count, String firstTimestamp) {}

  private final Map<EventKey, Seen> seen =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<EventKey, Seen> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  /** The earlier write of this event, if any. */
  public synchronized Seen previous(EventKey key) {
    return seen.get(key);
  }

  public synchronized void written(EventKey key, Seen now) {
    seen.put(key, now);
  }

  public synchronized void forget(EventKey key) {
    seen.remove(key);
  }
}
