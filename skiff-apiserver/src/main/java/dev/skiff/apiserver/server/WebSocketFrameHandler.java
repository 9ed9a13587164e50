package dev.skiff.apiserver.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Frames a client sends on a streaming WebSocket: pings are answered, a close ends the stream and
 * the connection, and messages are ignored (as Kubernetes does for watch).
 */
final class WebSocketFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private final ChannelStreamSink sink;

  WebSocketFrameHandler(ChannelStreamSink sink) {
    this.sink = sink;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof PingWebSocketFrame) {
      ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame close) {
      sink.peerClosed();
      ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
