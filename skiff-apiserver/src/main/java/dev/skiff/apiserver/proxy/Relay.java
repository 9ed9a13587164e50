package dev.skiff.apiserver.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One direction of a byte splice: what its channel reads is written to the peer channel. Reading
 * pauses while the peer cannot take more (the peer's relay resumes it), bytes read before the peer
 * is attached wait, and when either side closes the other is closed after its pending writes.
 */
final class Relay extends ChannelInboundHandlerAdapter {
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private volatile Channel peer;
  private ChannelHandlerContext ctx;

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Starts relaying to {@code target} on this relay's event loop: flushes what waited, runs {@code
   * thenRun} (which may release further buffered bytes, now forwarded directly), then reads again.
   */
  void attach(Channel target, Runnable thenRun) {
    ctx.executor()
        .execute(
            () -> {
              peer = target;
              Object msg;
              while ((msg = pending.poll()) != null) {
                forward(msg);
              }
              thenRun.run();
              if (!ctx.channel().isActive()) {
                closeOnFlush(target);
                return;
              }
              ctx.channel().config().setAutoRead(target.isWritable());
              ctx.channel().read();
            });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (peer == null) {
      pending.add(msg);
      return;
    }
    forward(msg);
  }

  private void forward(Object msg) {
    Channel target = peer;
    if (!target.isActive()) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    target
        .writeAndFlush(msg)
        .addListener(
            future -> {
              if (!future.isSuccess()) {
                ctx.close();
              }
            });
    if (!target.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Channel target = peer;
    if (target != null) {
      target.config().setAutoRead(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Channel target = peer;
    if (target != null) {
      closeOnFlush(target);
    }
    discardPending();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discardPending();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  private void discardPending() {
    Object msg;
    while ((msg = pending.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  static void closeOnFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
