package dev.skiff.apiserver.server;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Builds the HTTP responses the transport sends, each with the headers every response carries. */
final class Responses {
  static final String AUDIT_ID = "Audit-Id";
  static final String JSON = "application/json";
  private static final String CACHE_CONTROL = "no-cache, private";

  private Responses() {}

  /**
   * A random (version 4) UUID. Audit IDs need to be unique, not unpredictable, so this avoids the
   * shared SecureRandom of {@link UUID#randomUUID()} on the request path.
   */
  static String newAuditId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /** A complete response; the body array is wrapped, not copied. */
  static FullHttpResponse full(
      int status,
      String contentType,
      byte[] body,
      Map<String, List<String>> extraHeaders,
      String auditId) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    HttpHeaders headers = response.headers();
    common(headers, contentType, extraHeaders, auditId);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  /** The Status object of an error, with its code (and Retry-After when it says when). */
  static FullHttpResponse status(ApiException error, String auditId) {
    Integer retryAfter = error.details() == null ? null : error.details().retryAfterSeconds();
    Map<String, List<String>> headers =
        retryAfter == null ? Map.of() : Map.of("Retry-After", List.of(retryAfter.toString()));
    return full(error.code(), JSON, Json.bytes(error.toStatus()), headers, auditId);
  }

  /** Like {@link #status} but asks an HTTP/1.1 client to close the connection afterwards. */
  static FullHttpResponse statusAndClose(ApiException error, String auditId) {
    FullHttpResponse response = status(error, auditId);
    HttpUtil.setKeepAlive(response, false);
    return response;
  }

  /** The head of a response whose body follows in chunks. */
  static HttpResponse streamHead(
      int status, String contentType, Map<String, List<String>> extraHeaders, String auditId) {
    HttpResponse response =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    common(response.headers(), contentType, extraHeaders, auditId);
    HttpUtil.setTransferEncodingChunked(response, true);
    return response;
  }

  private static void common(
      HttpHeaders headers,
      String contentType,
      Map<String, List<String>> extraHeaders,
      String auditId) {
    headers.set(AUDIT_ID, auditId);
    headers.set(HttpHeaderNames.CACHE_CONTROL, CACHE_CONTROL);
    if (contentType != null) {
      headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    for (Map.Entry<String, List<String>> header : extraHeaders.entrySet()) {
      headers.add(header.getKey(), header.getValue());
    }
  }
}
