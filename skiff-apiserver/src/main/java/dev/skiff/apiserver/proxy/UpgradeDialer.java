package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.ConnectionTakeover;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protocol switches through the API server (exec, attach, port-forward, upgraded proxy requests):
 * opens a connection to the backend, sends the client's request line and headers, and waits for the
 * backend's answer. On 101 the client's connection is handed to a byte splice with the backend;
 * anything else becomes an error Status for the client.
 */
final class UpgradeDialer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UpgradeDialer.class);
  private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);
  private static final int MAX_ERROR_BODY = 64 * 1024;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final SslContext tls;

  UpgradeDialer(SslContext tls) {
    this.tls = tls;
  }

  /** What the backend answered when it did not switch protocols. */
  record Refusal(int status, String contentType, String body) {}

  /**
   * Dials {@code host:port}, sends {@code method pathAndQuery} with {@code headers}, and returns
   * the protocol switch, or what {@code refused} makes of another answer (it may throw); an
   * unreachable backend is a 503 ServiceUnavailable starting with {@code unreachable}.
   */
  ApiResponse dial(
      boolean https,
      String host,
      int port,
      String method,
      String pathAndQuery,
      Map<String, List<String>> headers,
      byte[] body,
      String unreachable,
      Function<Refusal, ApiResponse> refused) {
    Handshake handshake = new Handshake();
    Relay backendRelay = new Relay();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) BackendHttp.CONNECT_TIMEOUT.toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    if (https) {
                      channel
                          .pipeline()
                          .addLast("tls", tls.newHandler(channel.alloc(), host, port));
                    }
                    channel.pipeline().addLast("http", new HttpClientCodec());
                    channel.pipeline().addLast("handshake", handshake);
                    channel.pipeline().addLast("relay", backendRelay);
                  }
                });
    ChannelFuture connect = bootstrap.connect(host, port);
    connect.awaitUninterruptibly();
    if (!connect.isSuccess()) {
      throw ApiException.serviceUnavailable(
          unreachable + ": " + BackendHttp.reason(connect.cause()));
    }
    Channel backend = connect.channel();
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(method),
            pathAndQuery,
            Unpooled.wrappedBuffer(body));
    headers.forEach((name, values) -> request.headers().add(name, values));
    request
        .headers()
        .set(HttpHeaderNames.HOST, (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    backend.writeAndFlush(request);
    HttpResponse head;
    try {
      head = handshake.response.get(RESPONSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      backend.close();
      if (e.getCause() instanceof RefusedException refusal) {
        return refused.apply(refusal.refusal);
      }
      throw ApiException.serviceUnavailable(unreachable + ": " + BackendHttp.reason(e.getCause()));
    } catch (TimeoutException e) {
      backend.close();
      throw ApiException.serviceUnavailable(unreachable + ": no response from the backend");
    } catch (InterruptedException e) {
      backend.close();
      Thread.currentThread().interrupt();
      throw ApiException.serviceUnavailable(unreachable + ": interrupted");
    }
    return new ApiResponse.Upgrade(new Takeover(backend, backendRelay, head));
  }

  /** The client side of the splice, started by the transport once HTTP is off the connection. */
  private static final class Takeover implements ConnectionTakeover {
    private final Channel backend;
    private final Relay backendRelay;
    private final HttpResponse switched;
    private final Relay clientRelay = new Relay();

    Takeover(Channel backend, Relay backendRelay, HttpResponse switched) {
      this.backend = backend;
      this.backendRelay = backendRelay;
      this.switched = switched;
    }

    @Override
    public ChannelHandler handler() {
      return clientRelay;
    }

    @Override
    public void start(Channel client) {
      client.writeAndFlush(Unpooled.wrappedBuffer(responseHead(switched)));
      clientRelay.attach(backend, () -> {});
      backendRelay.attach(
          client,
          () -> {
            // bytes the backend sent right after its 101 come out of the codec as it leaves
            backend.pipeline().remove("handshake");
            backend.pipeline().remove("http");
          });
      log.info(
          "event=protocol_switched protocol={} client={} backend={}",
          switched.headers().get(HttpHeaderNames.UPGRADE, ""),
          client.remoteAddress(),
          backend.remoteAddress());
    }

    @Override
    public void abandon() {
      backend.close();
    }
  }

  /** The 101 as the backend sent it, re-encoded for the client. */
  static byte[] responseHead(HttpResponse response) {
    StringBuilder head = new StringBuilder();
    head.append("HTTP/1.1 ").append(response.status().code()).append(' ');
    head.append(response.status().reasonPhrase()).append("\r\n");
    response
        .headers()
        .forEach(h -> head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static final class RefusedException extends RuntimeException {
    final Refusal refusal;

    RefusedException(Refusal refusal) {
      super("backend answered " + refusal.status(), null, false, false);
      this.refusal = refusal;
    }
  }

  /**
   * Reads the backend's answer: completes with a 101's head (then stops reading until the splice
   * starts; raw bytes after it pass on to the relay), or fails with the refusal and its body.
   */
  private static final class Handshake extends SimpleChannelInboundHandler<Object> {
    final CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    private HttpResponse head;
    private final StringBuilder body = new StringBuilder();

    Handshake() {
      super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
      if (response.isDone() && head != null && head.status().code() == 101) {
        if (msg instanceof ByteBuf) {
          ctx.fireChannelRead(msg);
        } else if (msg instanceof HttpContent content) {
          // a 101 the codec took for one with a body (a WebSocket answer without
          // Sec-WebSocket-Accept): its "body" is already the new protocol's bytes
          if (content.content().isReadable()) {
            ctx.fireChannelRead(content.content().retain());
          }
          content.release();
        } else {
          ReferenceCountUtil.release(msg);
        }
        return;
      }
      if (!(msg instanceof HttpObject)) {
        ctx.fireChannelRead(msg);
        return;
      }
      try {
        if (msg instanceof HttpResponse r) {
          head = r;
          if (r.status().code() == 101) {
            ctx.channel().config().setAutoRead(false);
            response.complete(r);
            return;
          }
        }
        if (msg instanceof HttpContent content && body.length() < MAX_ERROR_BODY) {
          body.append(content.content().toString(StandardCharsets.UTF_8));
        }
        if (msg instanceof LastHttpContent && head != null) {
          response.completeExceptionally(
              new RefusedException(
                  new Refusal(
                      head.status().code(),
                      head.headers().get(HttpHeaderNames.CONTENT_TYPE, ""),
                      body.toString().strip())));
          ctx.close();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!response.isDone()) {
        response.completeExceptionally(
            new IllegalStateException("the backend closed the connection"));
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (!response.isDone()) {
        response.completeExceptionally(cause);
        ctx.close();
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
