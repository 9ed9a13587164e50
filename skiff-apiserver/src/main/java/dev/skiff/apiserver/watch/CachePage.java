package dev.skiff.apiserver.watch;

import java.util.List;

/**
 * A list served by the watch cache.
 *
 * @param items the matching objects in key order
 * @param revision the cache revision the list reflects
 * @param lastKey the key of the last item when more matching items remain, else null
 * @param remaining how many matching items follow (0 when none)
 */
public record CachePage(List<CachedObject> items, long revision, String lastKey, long remaining) {
  public CachePage {
    items = List.copyOf(items);
  }
}
