package dev.skiff.apiserver.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Passes HTTP/1.1 requests on one at a time: a pipelined request waits (and reading pauses) until
 * the response to the one before has been written, so responses, which are produced on other
 * threads, go out in request order. After a protocol switch (101) everything passes.
 */
final class Http1PipeliningHandler extends ChannelDuplexHandler {
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private boolean inFlight;
  private boolean informational;
  private boolean switched;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (switched || !(msg instanceof HttpObject)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (!held.isEmpty() || (inFlight && msg instanceof HttpRequest)) {
      held.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    if (msg instanceof HttpRequest) {
      inFlight = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      int code = response.status().code();
      informational = code < 200;
      if (code == 101) {
        switched = true;
      }
    }
    ctx.write(msg, promise);
    if (msg instanceof LastHttpContent && !informational && !switched) {
      inFlight = false;
      releaseHeld(ctx);
    }
  }

  /** Passes on the next held request (and what follows it up to the request after). */
  private void releaseHeld(ChannelHandlerContext ctx) {
    boolean passed = false;
    while (!held.isEmpty()) {
      Object next = held.peek();
      if (next instanceof HttpRequest) {
        if (inFlight) {
          break;
        }
        inFlight = true;
      }
      ctx.fireChannelRead(held.poll());
      passed = true;
    }
    if (passed) {
      ctx.fireChannelReadComplete();
    }
    if (held.isEmpty() && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discard();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    discard();
    ctx.fireChannelInactive();
  }

  private void discard() {
    Object msg;
    while ((msg = held.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
