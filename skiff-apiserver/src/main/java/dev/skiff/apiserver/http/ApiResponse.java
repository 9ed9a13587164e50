package dev.skiff.apiserver.http;

import java.util.List;
import java.util.Map;

/**
 * What an {@link ApiHandler} answers: a whole body, a stream such as a watch, or a protocol switch
 * that hands the connection over (exec, attach, port-forward through the kubelet proxy).
 */
public sealed interface ApiResponse
    permits ApiResponse.Full, ApiResponse.Stream, ApiResponse.Upgrade {

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

  /**
   * A protocol switch (101) the handler has already agreed with a backend: the transport stops
   * speaking HTTP on this HTTP/1.1 connection and gives it to {@code takeover}, which writes the
   * 101 itself and relays raw bytes from then on. Over HTTP/2 the transport refuses it with a 400
   * Status and calls {@link ConnectionTakeover#abandon()}.
   */
  record Upgrade(ConnectionTakeover takeover) implements ApiResponse {
    @Override
    public int status() {
      return 101;
    }

    @Override
    public String contentType() {
      return "";
    }

    @Override
    public Map<String, List<String>> headers() {
      return Map.of();
    }
  }
}
