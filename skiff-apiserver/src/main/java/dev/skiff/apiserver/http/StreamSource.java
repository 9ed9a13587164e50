package dev.skiff.apiserver.http;

/** Produces the chunks of a {@link ApiResponse.Stream} (e.g. watch events). */
public interface StreamSource {
  /**
   * Begins producing into {@code sink}; returns at once (production goes on elsewhere). The source
   * stops when the sink reports it closed, and calls {@link StreamSink#close} when it ends itself.
   */
  void start(StreamSink sink);
}
