package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.AuditAnnotations;
import dev.skiff.apiserver.http.ConnectionTakeover;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the API handler for each request on a virtual thread (never on the event loop) and writes
 * what it answers: a whole response, or a stream as chunks, DATA frames or WebSocket messages.
 * {@link ApiException}s become their Status; anything else a generic 500 InternalError, logged here
 * with its stack trace and never shown to the client.
 */
@Sharable
final class ApiDispatcher extends SimpleChannelInboundHandler<ServerRequest> {
  private static final Logger log = LoggerFactory.getLogger(ApiDispatcher.class);

  /** Subprotocols Kubernetes clients offer for streams over WebSocket. */
  private static final String WEBSOCKET_SUBPROTOCOLS =
      "v5.channel.k8s.io,v4.channel.k8s.io,v3.channel.k8s.io,v2.channel.k8s.io,channel.k8s.io,"
          + "base64.channel.k8s.io,binary.k8s.io,base64.binary.k8s.io";

  private static final int MAX_WEBSOCKET_FRAME = 64 * 1024;

  /** The HTTP/1.1 handlers {@link ApiServerInitializer} installs, the codec last. */
  private static final List<String> HTTP_HANDLERS =
      List.of(
          "exceptions",
          "dispatcher",
          "authorization",
          "authentication",
          "decoder",
          "aggregator",
          "access-log",
          "sequence",
          "keep-alive",
          "http");

  private final ApiHandler handler;
  private final Executor executor;

  ApiDispatcher(ApiHandler handler, Executor executor) {
    this.handler = handler;
    this.executor = executor;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ServerRequest request) {
    try {
      executor.execute(() -> serve(ctx, request));
    } catch (RejectedExecutionException e) {
      ctx.writeAndFlush(
          Responses.status(
              ApiException.serviceUnavailable("the server is shutting down"), request.auditId()));
    }
  }

  private void serve(ChannelHandlerContext ctx, ServerRequest request) {
    ApiResponse response;
    ApiException failure = null;
    RequestLog log = RequestLog.of(ctx.channel());
    boolean audited = log != null && log.audited();
    Map<String, String> annotations = audited ? new LinkedHashMap<>() : null;
    Map<String, String> outer = audited ? AuditAnnotations.bind(annotations) : null;
    try {
      response = handler.handle(request.api());
      if (response == null) {
        throw new IllegalStateException("the API handler returned no response");
      }
    } catch (ApiException e) {
      response = null;
      failure = e;
    } catch (Throwable e) {
      response = null;
      failure = internalError(request, e);
    } finally {
      if (audited) {
        // before the response is written: the audit event is written when it has been
        AuditAnnotations.unbind(outer);
        log.annotate(annotations);
      }
    }
    if (failure != null) {
      ctx.writeAndFlush(Responses.status(failure, request.auditId()));
      return;
    }
    switch (response) {
      case ApiResponse.Full full ->
          ctx.writeAndFlush(
              Responses.full(
                  full.status(),
                  full.contentType(),
                  full.body(),
                  full.headers(),
                  request.auditId()));
      case ApiResponse.Upgrade upgrade -> switchProtocols(ctx, request, upgrade.takeover());
      case ApiResponse.Stream stream -> {
        if (request.api().websocket() && !(ctx.channel() instanceof Http2StreamChannel)) {
          startWebSocket(ctx, request, stream);
        } else {
          startHttpStream(ctx, request, stream);
        }
      }
    }
  }

  /**
   * Leaves HTTP on this connection for the protocol a backend agreed to (SPDY, WebSocket): the
   * takeover's handler goes in first so that bytes the codec still buffers reach it, then every
   * HTTP handler is removed (the codec last), then the takeover answers the switch.
   */
  private static void switchProtocols(
      ChannelHandlerContext ctx, ServerRequest request, ConnectionTakeover takeover) {
    if (ctx.channel() instanceof Http2StreamChannel) {
      takeover.abandon();
      ctx.writeAndFlush(
          Responses.status(
              ApiException.badRequest("protocol upgrades are only supported over HTTP/1.1"),
              request.auditId()));
      return;
    }
    Channel channel = ctx.channel();
    channel
        .eventLoop()
        .execute(
            () -> {
              if (!channel.isActive()) {
                takeover.abandon();
                return;
              }
              ChannelPipeline pipeline = channel.pipeline();
              pipeline.addLast("takeover", takeover.handler());
              for (String name : HTTP_HANDLERS) {
                if (pipeline.get(name) != null) {
                  pipeline.remove(name);
                }
              }
              takeover.start(channel);
            });
  }

  private static ApiException internalError(ServerRequest request, Throwable e) {
    log.error(
        "event=handler_failed verb={} path={} audit_id={}",
        request.api().method(),
        request.api().path(),
        request.auditId(),
        e);
    return ApiException.internalError(
        "Internal error occurred: unexpected server error (audit ID " + request.auditId() + ")");
  }

  private void startHttpStream(
      ChannelHandlerContext ctx, ServerRequest request, ApiResponse.Stream stream) {
    ChannelStreamSink sink = new ChannelStreamSink(ctx, ChannelStreamSink.Framing.HTTP, executor);
    sink.begin(
        () ->
            ctx.writeAndFlush(
                Responses.streamHead(
                    stream.status(), stream.contentType(), stream.headers(), request.auditId())));
    start(stream, sink, request);
  }

  private void startWebSocket(
      ChannelHandlerContext ctx, ServerRequest request, ApiResponse.Stream stream) {
    boolean text = isText(stream.contentType());
    ChannelStreamSink sink =
        new ChannelStreamSink(
            ctx,
            text
                ? ChannelStreamSink.Framing.WEBSOCKET_TEXT
                : ChannelStreamSink.Framing.WEBSOCKET_BINARY,
            executor);
    HttpRequest head = request.head();
    FullHttpRequest handshakeRequest =
        new DefaultFullHttpRequest(
            head.protocolVersion(),
            head.method(),
            head.uri(),
            Unpooled.EMPTY_BUFFER,
            head.headers(),
            EmptyHttpHeaders.INSTANCE);
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(
                "wss://" + head.headers().get("host", "localhost") + head.uri(),
                WEBSOCKET_SUBPROTOCOLS,
                false,
                MAX_WEBSOCKET_FRAME)
            .newHandshaker(handshakeRequest);
    sink.begin(
        () -> {
          if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
          }
          try {
            handshaker.handshake(ctx.channel(), handshakeRequest);
            ctx.pipeline().addLast(new WebSocketFrameHandler(sink));
          } catch (WebSocketHandshakeException e) {
            ctx.writeAndFlush(
                Responses.statusAndClose(
                    ApiException.badRequest("WebSocket handshake failed: " + e.getMessage()),
                    request.auditId()));
            sink.close();
          }
        });
    if (handshaker != null) {
      start(stream, sink, request);
    }
  }

  private static boolean isText(String contentType) {
    return contentType != null
        && (contentType.startsWith("application/json") || contentType.startsWith("text/"));
  }

  private static void start(
      ApiResponse.Stream stream, ChannelStreamSink sink, ServerRequest request) {
    try {
      stream.source().start(sink);
    } catch (Throwable e) {
      log.error(
          "event=stream_start_failed verb={} path={} audit_id={}",
          request.api().method(),
          request.api().path(),
          request.auditId(),
          e);
      sink.close();
    }
  }
}
