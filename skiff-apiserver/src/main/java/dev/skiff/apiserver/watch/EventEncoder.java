package dev.skiff.apiserver.watch;

/**
 * Turns one watch event into the bytes a watcher receives. Encoders with equal {@link #id()}
 * produce equal bytes, so an event is encoded once per id and the bytes are shared by watchers.
 */
public interface EventEncoder {
  /** Identifies the output format, e.g. "json apps/v1". */
  String id();

  /**
   * The bytes of one event.
   *
   * @param type ADDED, MODIFIED, DELETED or BOOKMARK
   * @param first whether this is the first event of the watcher (a Table carries its column
   *     definitions only in the first event); results for first events are not shared
   */
  byte[] encode(String type, CachedObject object, boolean first);

  /** Whether first events encode like the others (true for JSON; a Table's first differs). */
  default boolean sameFirstEvent() {
    return true;
  }
}
