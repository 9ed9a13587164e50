package dev.skiff.apiserver.http;

/**
 * Where a {@link StreamSource} writes. Thread-safe. Sends never block: a source that finds the sink
 * not writable for too long drops the client (a slow watcher is dropped, never waited for).
 */
public interface StreamSink {
  /** Queues one chunk; the same byte array may be shared by many sinks and is never modified. */
  void send(byte[] chunk);

  /** False while the client's outbound buffer is over its high-water mark. */
  boolean isWritable();

  /** Ends the response. Idempotent. */
  void close();

  boolean isClosed();

  /** Runs {@code callback} once when the stream ends for any reason (client gone, close). */
  void onClose(Runnable callback);
}
