package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.StreamSink;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** A sink that records every chunk; writability is set by the test. */
final class FakeStreamSink implements StreamSink {
  private final List<byte[]> chunks = new ArrayList<>();
  private final List<Runnable> onClose = new ArrayList<>();
  private volatile boolean writable = true;
  private volatile boolean closed;

  @Override
  public synchronized void send(byte[] chunk) {
    chunks.add(chunk);
  }

  @Override
  public boolean isWritable() {
    return writable;
  }

  void writable(boolean value) {
    writable = value;
  }

  @Override
  public void close() {
    List<Runnable> callbacks;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      callbacks = List.copyOf(onClose);
    }
    callbacks.forEach(Runnable::run);
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized void onClose(Runnable callback) {
    onClose.add(callback);
  }

  synchronized List<byte[]> chunks() {
    return List.copyOf(chunks);
  }

  /** The events received, parsed. */
  synchronized List<ObjectNode> events() {
    return chunks.stream().map(Json::parseObject).toList();
  }

  /** "TYPE name" of each event (BOOKMARK events as "BOOKMARK rv"). */
  List<String> summary() {
    return events().stream()
        .map(
            e ->
                e.path("type").asString()
                    + " "
                    + (e.path("type").asString().equals("BOOKMARK")
                        ? e.path("object").path("metadata").path("resourceVersion").asString()
                        : e.path("object")
                            .path("metadata")
                            .path("name")
                            .asString(e.path("object").path("kind").asString())))
        .toList();
  }
}
