package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.ApiException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Aggregates a request into one message, refusing bodies over the limit with a 413
 * RequestEntityTooLarge Status (Netty's own refusal has no body). Honours {@code Expect:
 * 100-continue}: 100 when the announced length fits, the 413 Status when it does not.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
  private final int limit;

  BodyLimitAggregator(int limit) {
    super(limit);
    this.limit = limit;
  }

  private ApiException tooLarge() {
    return ApiException.requestEntityTooLarge("Request entity too large: limit is " + limit);
  }

  @Override
  protected Object newContinueResponse(HttpMessage start, int max, ChannelPipeline pipeline) {
    Object response = super.newContinueResponse(start, max, pipeline);
    if (response instanceof FullHttpResponse refusal && refusal.status().code() == 413) {
      ReferenceCountUtil.release(refusal);
      return Responses.status(tooLarge(), Responses.newAuditId());
    }
    return response;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
      throws Exception {
    if (!(oversized instanceof HttpRequest)) {
      super.handleOversizedMessage(ctx, oversized);
      return;
    }
    // Once body bytes were read there is no resynchronising the connection; without keep-alive
    // and without 100-continue there is no reason to keep it.
    boolean close =
        oversized instanceof FullHttpMessage
            || (!HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized));
    String auditId = Responses.newAuditId();
    ChannelFuture written =
        ctx.writeAndFlush(
            close
                ? Responses.statusAndClose(tooLarge(), auditId)
                : Responses.status(tooLarge(), auditId));
    written.addListener(
        close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
  }
}
