package dev.skiff.apiserver.watch;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One change in the watch cache. {@link #object} is the state after the change; for DELETED it is
 * the last state with the delete's resourceVersion. {@link #previous} is the state before (null for
 * ADDED). Encoded bytes are memoized per (type, encoder) so that every watcher shares them.
 */
public final class CacheEvent {
  public enum Type {
    ADDED,
    MODIFIED,
    DELETED
  }

  private final Type type;
  private final CachedObject object;
  private final CachedObject previous;
  private final ConcurrentHashMap<String, byte[]> encoded = new ConcurrentHashMap<>(2);

  public CacheEvent(Type type, CachedObject object, CachedObject previous) {
    this.type = type;
    this.object = object;
    this.previous = previous;
  }

  public Type type() {
    return type;
  }

  public CachedObject object() {
    return object;
  }

  public CachedObject previous() {
    return previous;
  }

  public long revision() {
    return object.revision();
  }

  /** The bytes of this event as {@code watchType} in the encoder's format, encoded once. */
  byte[] encoded(String watchType, EventEncoder encoder, Supplier<byte[]> encode) {
    return encoded.computeIfAbsent(watchType + " " + encoder.id(), k -> encode.get());
  }
}
