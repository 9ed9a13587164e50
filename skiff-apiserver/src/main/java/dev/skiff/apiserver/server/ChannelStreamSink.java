package dev.skiff.apiserver.server;

import dev.skiff.apiserver.http.StreamSink;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StreamSink} over a channel: each chunk becomes one HTTP chunk (HTTP/1.1), DATA frame
 * (HTTP/2) or WebSocket message, flushed at once. Every write is queued on the channel's event
 * loop, in call order, so chunks never overtake the response head or the end of the stream. Close
 * callbacks run once, on the given executor, when the stream ends for any reason.
 */
final class ChannelStreamSink implements StreamSink {
  private static final Logger log = LoggerFactory.getLogger(ChannelStreamSink.class);

  /** How chunks are framed. */
  enum Framing {
    HTTP,
    WEBSOCKET_TEXT,
    WEBSOCKET_BINARY
  }

  private final ChannelHandlerContext ctx;
  private final Channel channel;
  private final EventExecutor loop;
  private final Framing framing;
  private final Executor callbackExecutor;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final List<Runnable> callbacks = new ArrayList<>();
  private final ChannelFutureListener channelClosed = future -> finish();
  private boolean ended; // event loop only

  ChannelStreamSink(ChannelHandlerContext ctx, Framing framing, Executor callbackExecutor) {
    this.ctx = ctx;
    this.channel = ctx.channel();
    this.loop = ctx.executor();
    this.framing = framing;
    this.callbackExecutor = callbackExecutor;
  }

  /** Queues {@code task} (e.g. writing the head) before any chunk; watches for disconnects. */
  void begin(Runnable task) {
    onLoop(
        () -> {
          task.run();
          channel.closeFuture().addListener(channelClosed);
        });
  }

  /** Runs {@code task} on the event loop, after everything queued before it. */
  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      // the server is shutting down: the stream is over
      closing.set(true);
      finish();
    }
  }

  @Override
  public void send(byte[] chunk) {
    if (closing.get()) {
      return;
    }
    onLoop(
        () -> {
          if (!ended && channel.isActive()) {
            ctx.writeAndFlush(frame(chunk)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
          }
        });
  }

  private Object frame(byte[] chunk) {
    return switch (framing) {
      case HTTP -> new DefaultHttpContent(Unpooled.wrappedBuffer(chunk));
      case WEBSOCKET_TEXT -> new TextWebSocketFrame(Unpooled.wrappedBuffer(chunk));
      case WEBSOCKET_BINARY -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(chunk));
    };
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    onLoop(
        () -> {
          if (!ended && channel.isActive()) {
            ended = true;
            if (framing == Framing.HTTP) {
              ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                  .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else {
              ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                  .addListener(ChannelFutureListener.CLOSE);
            }
          }
          finish();
        });
  }

  /** Marks the stream ended on the event loop; used when the peer closes a WebSocket. */
  void peerClosed() {
    closing.set(true);
    ended = true;
    finish();
  }

  @Override
  public boolean isClosed() {
    return closing.get() || finished.get();
  }

  @Override
  public void onClose(Runnable callback) {
    synchronized (callbacks) {
      if (!finished.get()) {
        callbacks.add(callback);
        return;
      }
    }
    runCallbacks(List.of(callback));
  }

  private void finish() {
    List<Runnable> toRun;
    synchronized (callbacks) {
      if (!finished.compareAndSet(false, true)) {
        return;
      }
      toRun = List.copyOf(callbacks);
      callbacks.clear();
    }
    closing.set(true);
    channel.closeFuture().removeListener(channelClosed);
    if (!toRun.isEmpty()) {
      runCallbacks(toRun);
    }
  }

  /** Off the event loop when possible; inline once the server no longer takes tasks. */
  private void runCallbacks(List<Runnable> toRun) {
    try {
      callbackExecutor.execute(() -> toRun.forEach(ChannelStreamSink::run));
    } catch (RejectedExecutionException e) {
      toRun.forEach(ChannelStreamSink::run);
    }
  }

  private static void run(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.warn("event=stream_close_callback_failed", e);
    }
  }
}
