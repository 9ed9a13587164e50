package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns an aggregated HTTP request into a {@link ServerRequest}: decoded path and query, headers by
 * lower-case name, the body as bytes. A request the HTTP codec could not parse, or whose path or
 * query is not valid percent-encoding, gets a 400 BadRequest Status and the connection is closed.
 */
@Sharable
final class RequestDecoder extends MessageToMessageDecoder<FullHttpRequest> {
  private static final byte[] EMPTY = new byte[0];
  private static final int MAX_QUERY_PARAMETERS = 1024;

  RequestDecoder() {
    super(FullHttpRequest.class);
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, FullHttpRequest request, List<Object> out) {
    String auditId = auditId(request.headers());
    if (!request.decoderResult().isSuccess()) {
      reject(ctx, "malformed HTTP request: " + reason(request.decoderResult().cause()), auditId);
      return;
    }
    QueryStringDecoder uri;
    String path;
    Map<String, List<String>> query;
    try {
      uri =
          new QueryStringDecoder(
              request.uri(), StandardCharsets.UTF_8, true, MAX_QUERY_PARAMETERS, true);
      path = uri.path();
      query = uri.parameters();
    } catch (IllegalArgumentException e) {
      reject(ctx, "malformed request URI: " + e.getMessage(), auditId);
      return;
    }
    if (!path.startsWith("/")) {
      reject(ctx, "malformed request URI: the path must begin with /", auditId);
      return;
    }
    HttpHeaders headers = request.headers();
    byte[] body = request.content().isReadable() ? ByteBufUtil.getBytes(request.content()) : EMPTY;
    ApiRequest api =
        new ApiRequest(
            request.method().name(),
            path,
            query,
            headerMap(headers),
            body,
            UserInfo.ANONYMOUS,
            isWebSocketUpgrade(headers));
    out.add(
        new ServerRequest(
            api,
            new DefaultHttpRequest(
                request.protocolVersion(), request.method(), request.uri(), headers),
            auditId));
  }

  private static void reject(ChannelHandlerContext ctx, String message, String auditId) {
    ctx.writeAndFlush(Responses.statusAndClose(ApiException.badRequest(message), auditId))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private static String reason(Throwable cause) {
    return cause == null || cause.getMessage() == null
        ? "invalid request"
        : cause.getMessage().lines().findFirst().orElse("invalid request");
  }

  /** The caller's Audit-ID if it sent one (as Kubernetes honours it), else a new one. */
  private static String auditId(HttpHeaders headers) {
    String sent = headers.get(Responses.AUDIT_ID);
    return sent == null || sent.isBlank() || sent.length() > 128 ? Responses.newAuditId() : sent;
  }

  private static boolean isWebSocketUpgrade(HttpHeaders headers) {
    return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private static Map<String, List<String>> headerMap(HttpHeaders headers) {
    Map<String, List<String>> map = new HashMap<>(headers.size() * 2);
    Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
    while (entries.hasNext()) {
      Map.Entry<CharSequence, CharSequence> entry = entries.next();
      String name = entry.getKey().toString().toLowerCase(Locale.ROOT);
      if (name.startsWith("x-http2-")) {
        continue; // added by Netty's HTTP/2 to HTTP/1 conversion, not sent by the client
      }
      map.computeIfAbsent(name, n -> new ArrayList<>(1)).add(entry.getValue().toString());
    }
    return map;
  }
}
