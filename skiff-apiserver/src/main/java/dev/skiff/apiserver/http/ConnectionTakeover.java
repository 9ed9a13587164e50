package dev.skiff.apiserver.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * Takes over a client connection after a protocol switch ({@link ApiResponse.Upgrade}). The
 * transport, on the connection's event loop: adds {@link #handler()} at the end of the pipeline,
 * removes its HTTP handlers (bytes the client sent after its request then reach the handler as
 * ByteBufs), and calls {@link #start}. Exactly one of {@link #start} and {@link #abandon} is
 * called.
 */
public interface ConnectionTakeover {
  /** The inbound handler that receives the client's raw bytes once HTTP is gone. */
  ChannelHandler handler();

  /** HTTP is gone from the pipeline of {@code connection}: answer the switch and start relaying. */
  void start(Channel connection);

  /** The connection cannot be taken over (closed meanwhile, or HTTP/2): release the backend. */
  void abandon();
}
