package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.StreamSink;
import dev.skiff.apiserver.http.StreamSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * Plain HTTP/1.1 requests to kubelets and pods, with bodies read as streams so that a followed log
 * reaches the client chunk by chunk.
 */
final class BackendHttp implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_ERROR_BODY = 50_000;
  private static final int BUFFER = 16 * 1024;

  private final HttpClient client;

  BackendHttp(SSLContext ssl) {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(ssl)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Sends a request; a backend that cannot be reached is a 503 ServiceUnavailable with {@code
   * unreachable} and the reason as message prefix.
   */
  HttpResponse<InputStream> send(
      String method,
      URI uri,
      Map<String, List<String>> headers,
      byte[] body,
      Duration timeout,
      String unreachable) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .method(
                method,
                body.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (timeout != null) {
      request.timeout(timeout);
    }
    headers.forEach((name, values) -> values.forEach(value -> request.header(name, value)));
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw ApiException.serviceUnavailable(unreachable + ": " + reason(e));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid proxy request: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.serviceUnavailable(unreachable + ": interrupted");
    }
  }

  static String reason(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      message = e.getCause() != null ? reason(e.getCause()) : e.getClass().getSimpleName();
    }
    return message;
  }

  /** The backend's response as it is (status, headers, body streamed), for the proxies. */
  static ApiResponse passThrough(HttpResponse<InputStream> response) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (ForwardedHeaders.passesBack(name) && !name.equalsIgnoreCase("content-type")) {
                headers.put(name, values);
              }
            });
    String contentType = response.headers().firstValue("content-type").orElse(null);
    long length = response.headers().firstValueAsLong("content-length").orElse(-1);
    if (length >= 0 && length <= 1024 * 1024) {
      return new ApiResponse.Full(
          response.statusCode(), contentType, readAll(response.body()), headers);
    }
    return new ApiResponse.Stream(
        response.statusCode(), contentType, headers, copying(response.body()));
  }

  /** The body of an error response, at most about 50 kB, trimmed. */
  static String errorText(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      return new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw ApiException.serviceUnavailable("error reading from backend: " + reason(e));
    }
  }

  /** Copies a backend body to the client as it arrives, one chunk per read. */
  static StreamSource copying(InputStream in) {
    return sink -> {
      sink.onClose(() -> closeQuietly(in));
      Thread.ofVirtual().name("proxy-copy").start(() -> copy(in, sink));
    };
  }

  private static void copy(InputStream in, StreamSink sink) {
    byte[] buffer = new byte[BUFFER];
    try {
      int n;
      while (!sink.isClosed() && (n = in.read(buffer)) >= 0) {
        if (n > 0) {
          sink.send(Arrays.copyOf(buffer, n));
        }
        // wait for a slow client rather than drop it: the kubelet holds the rest
        while (!sink.isWritable() && !sink.isClosed()) {
          LockSupport.parkNanos(5_000_000);
        }
      }
    } catch (IOException e) {
      // the backend or the client went away; either way the response ends here
    } finally {
      closeQuietly(in);
      sink.close();
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // nothing left to release
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
