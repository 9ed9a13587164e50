package dev.skiff.apiserver.http;

import java.util.List;
import java.util.Map;

/** What an {@link ApiHandler} answers: a whole body, or a stream such as a watch. */
public sealed interface ApiResponse permits ApiResponse.Full, ApiResponse.Stream {

  int status();

  String contentType();

  /** Extra response headers (e.g. Warning), each name to its values. */
  Map<String, List<String>> headers();

  /** A complete response. */
  record Full(int status, String contentType, byte[] body, Map<String, List<String>> headers)
      implements ApiResponse {
    public Full {
      headers = Map.copyOf(headers);
    }

    public Full(int status, String contentType, byte[] body) {
      this(status, contentType, body, Map.of());
    }
  }

  /**
   * A long-lived response: the transport sends the status and headers, then calls {@link
   * StreamSource#start} with a sink; each {@link StreamSink#send} becomes one HTTP chunk (or one
   * WebSocket message).
   */
  record Stream(
      int status, String contentType, Map<String, List<String>> headers, StreamSource source)
      implements ApiResponse {
    public Stream {
      headers = Map.copyOf(headers);
    }
  }
}
