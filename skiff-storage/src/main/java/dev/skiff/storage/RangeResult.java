package dev.skiff.storage;

import java.util.List;

/**
 * The result of {@link Store#range}.
 *
 * @param revision the revision the range was read at
 * @param more whether keys beyond the limit remain
 */
public record RangeResult(List<KeyValue> items, long revision, boolean more) {
  public RangeResult {
    items = List.copyOf(items);
  }
}
