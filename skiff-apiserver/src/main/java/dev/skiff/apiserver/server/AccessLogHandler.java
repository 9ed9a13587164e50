package dev.skiff.apiserver.server;

import dev.skiff.apiserver.audit.AuditLog;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Writes one access-log line (and audit event) per request when its response has been sent (a watch
 * when it ends, a WebSocket when its connection closes). One instance per channel; the channel
 * carries one request at a time (HTTP/2 streams are channels of their own, HTTP/1.1 requests are
 * sequenced first).
 */
final class AccessLogHandler extends ChannelDuplexHandler {
  private final String protocol;
  private final AuditLog audit;
  private RequestLog current;
  private boolean informational;

  /**
   * @param audit where each request's audit event goes too, or null
   */
  AccessLogHandler(String protocol, AuditLog audit) {
    this.protocol = protocol;
    this.audit = audit;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      current =
          new RequestLog(
              request.method().name(), request.uri(), protocol, System.nanoTime(), audit);
      ctx.channel().attr(RequestLog.KEY).set(current);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    RequestLog log = current;
    if (log != null) {
      if (msg instanceof HttpResponse response) {
        log.code(response.status().code());
        informational = response.status().code() < 200;
      }
      if (msg instanceof LastHttpContent && !informational) {
        current = null;
        ctx.write(msg, promise.unvoid()).addListener(future -> log.write());
        return;
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // a stream cut short by the client, or a WebSocket that ended
    RequestLog log = current;
    if (log != null) {
      current = null;
      log.write();
    }
    ctx.fireChannelInactive();
  }
}
