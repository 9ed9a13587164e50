package dev.skiff.apiserver.watch;

import dev.skiff.apiserver.http.StreamSink;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * One client watch fed by a {@link WatchCache}. Sending never blocks: a watcher whose sink stays
 * unwritable longer than the allowed time is closed, and the client re-lists.
 */
final class CacheWatcher {
  private final StreamSink sink;
  private final WatchRequest request;
  private final InstantSource clock;
  private final Duration maxUnwritable;
  private boolean first = true;
  private Instant unwritableSince;
  private long after;

  CacheWatcher(StreamSink sink, WatchRequest request, InstantSource clock, Duration maxUnwritable) {
    this.sink = sink;
    this.request = request;
    this.clock = clock;
    this.maxUnwritable = maxUnwritable;
    this.after = request.resourceVersion() == null ? 0 : request.resourceVersion();
  }

  /** Live events at or before {@code rev} are skipped (the initial state covered them). */
  void startAfter(long rev) {
    after = rev;
  }

  WatchRequest request() {
    return request;
  }

  boolean closed() {
    return sink.isClosed();
  }

  boolean matches(CachedObject object) {
    if (object == null) {
      return false;
    }
    String namespace = request.namespace();
    if (!namespace.isEmpty() && !namespace.equals(object.fields().get("metadata.namespace"))) {
      return false;
    }
    return request.filter().test(object);
  }

  /** Sends the current state of one object as ADDED (initial events). */
  void sendInitial(CachedObject object) {
    if (matches(object)) {
      send(request.encoder().encode("ADDED", object, takeFirst()));
    }
  }

  /** Sends one live event, turned into ADDED or DELETED when the object enters or leaves. */
  void deliver(CacheEvent event) {
    if (event.revision() <= after) {
      return;
    }
    boolean now = event.type() != CacheEvent.Type.DELETED && matches(event.object());
    boolean before = event.previous() != null && matches(event.previous());
    String type;
    CachedObject object = event.object();
    if (now && before) {
      type = "MODIFIED";
    } else if (now) {
      type = "ADDED";
    } else if (before) {
      type = "DELETED";
      if (event.type() != CacheEvent.Type.DELETED) {
        object = WatchCache.withRevision(event.previous(), event.revision());
      }
    } else {
      return;
    }
    EventEncoder encoder = request.encoder();
    if (takeFirst() && !encoder.sameFirstEvent()) {
      send(encoder.encode(type, object, true));
    } else {
      CachedObject chosen = object;
      send(event.encoded(type, encoder, () -> encoder.encode(type, chosen, false)));
    }
  }

  void bookmark(CachedObject marker) {
    if (request.bookmarks()) {
      send(request.encoder().encode("BOOKMARK", marker, takeFirst()));
    }
  }

  private boolean takeFirst() {
    boolean was = first;
    first = false;
    return was;
  }

  private void send(byte[] bytes) {
    if (sink.isClosed()) {
      return;
    }
    if (!sink.isWritable()) {
      Instant now = clock.instant();
      if (unwritableSince == null) {
        unwritableSince = now;
      } else if (Duration.between(unwritableSince, now).compareTo(maxUnwritable) > 0) {
        sink.close();
        return;
      }
    } else {
      unwritableSince = null;
    }
    sink.send(bytes);
  }

  void close() {
    sink.close();
  }
}
