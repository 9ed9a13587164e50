package dev.skiff.kubelet.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Relays an upgrade request (SPDY/3.1 or WebSocket) to the URL the runtime's CRI streaming server
 * returned for Exec, Attach or PortForward, then copies bytes both ways until either side closes,
 * as the kubelet's streaming proxy does. The runtime answers the upgrade itself (101, or its
 * error), so the protocol is whatever it and the client agree on.
 */
final class StreamingRelay {
  /**
   * Headers not passed on: hop-by-hop for this hop, or the client's credentials for the kubelet.
   */
  private static final Set<String> DROPPED =
      Set.of("host", "authorization", "content-length", "transfer-encoding");

  /**
   * WebSocket subprotocols containerd 1.6's streaming server accepts (its copy of the kubelet
   * streaming package): channel.k8s.io v1-v4 for exec/attach; the v4 channel protocols or none for
   * port-forward. It does not know v5.channel.k8s.io (kubectl >= 1.30 offers only that for exec)
   * nor SPDY/3.1+portforward.k8s.io (kubectl's WebSocket port-forward) and would refuse them with
   * 403 after a CRI session was made. We refuse those with 400 before calling the runtime: kubectl
   * treats any non-101 answer as an upgrade failure and retries with SPDY/3.1, which containerd
   * serves for exec, attach and port-forward.
   */
  static final Map<Kind, Set<String>> RUNTIME_WEBSOCKET_PROTOCOLS =
      Map.of(
          Kind.EXEC,
          Set.of(
              "",
              "channel.k8s.io",
              "base64.channel.k8s.io",
              "v4.channel.k8s.io",
              "v4.base64.channel.k8s.io"),
          Kind.ATTACH,
          Set.of(
              "",
              "channel.k8s.io",
              "base64.channel.k8s.io",
              "v4.channel.k8s.io",
              "v4.base64.channel.k8s.io"),
          Kind.PORT_FORWARD,
          Set.of("", "v4.channel.k8s.io", "v4.base64.channel.k8s.io"));

  enum Kind {
    EXEC,
    ATTACH,
    PORT_FORWARD
  }

  private StreamingRelay() {}

  static boolean isWebSocket(HttpRequest request) {
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
    return upgrade != null && upgrade.trim().equalsIgnoreCase("websocket");
  }

  static boolean isUpgrade(HttpRequest request) {
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
    return upgrade != null && !upgrade.isBlank();
  }

  /** The WebSocket subprotocols the client offers, in its order. */
  static List<String> offeredSubprotocols(HttpRequest request) {
    return request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL).stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** Null when the runtime can serve the WebSocket upgrade, else why not. */
  static String unsupportedWebSocket(Kind kind, HttpRequest request) {
    List<String> offered = offeredSubprotocols(request);
    Set<String> supported = RUNTIME_WEBSOCKET_PROTOCOLS.get(kind);
    if (offered.isEmpty()
        ? supported.contains("")
        : offered.stream().anyMatch(supported::contains)) {
      return null;
    }
    return "websocket subprotocol(s) "
        + offered
        + " are not supported by the container runtime's streaming server; supported: "
        + supported.stream().filter(s -> !s.isEmpty()).sorted().toList()
        + " (SPDY/3.1 works for exec, attach and port-forward)";
  }

  /** The request line and headers to send to the streaming server, for its {@code target} path. */
  static byte[] upstreamRequest(HttpRequest request, URI target) {
    StringBuilder head = new StringBuilder();
    String path =
        target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
    if (target.getRawQuery() != null) {
      path += "?" + target.getRawQuery();
    }
    head.append(request.method().name()).append(' ').append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(target.getRawAuthority()).append("\r\n");
    for (Map.Entry<String, String> header : request.headers()) {
      if (!DROPPED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
      }
    }
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Connects to {@code target} from the client channel's event loop, sends the request, and turns
   * both channels into a byte relay. The client channel must have auto-read off; {@code onFailure}
   * runs (on the event loop) when the streaming server cannot be reached.
   *
   * @param replace called on the event loop once connected, to take the HTTP handlers out of the
   *     client pipeline and put the given relay handler in
   */
  static void relay(
      Channel client,
      HttpRequest request,
      URI target,
      Consumer<ChannelInboundHandlerAdapter> replace,
      Consumer<Throwable> onFailure) {
    if (!"http".equalsIgnoreCase(target.getScheme())) {
      onFailure.accept(
          new IllegalStateException("streaming URL scheme not supported: " + target.getScheme()));
      return;
    }
    int port = target.getPort() > 0 ? target.getPort() : 80;
    Bootstrap bootstrap =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel upstream) {
                    upstream.pipeline().addLast("relay", new RelayHandler(client));
                  }
                });
    bootstrap
        .connect(target.getHost(), port)
        .addListener(
            (ChannelFutureListener)
                connected -> {
                  if (!connected.isSuccess()) {
                    onFailure.accept(connected.cause());
                    return;
                  }
                  Channel upstream = connected.channel();
                  upstream.writeAndFlush(Unpooled.wrappedBuffer(upstreamRequest(request, target)));
                  replace.accept(new RelayHandler(upstream));
                  client.closeFuture().addListener(f -> closeOnFlush(upstream));
                  upstream.closeFuture().addListener(f -> closeOnFlush(client));
                  upstream.config().setAutoRead(true);
                  client.config().setAutoRead(true);
                });
  }

  static void closeOnFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Copies what one channel reads to its peer; stops reading while the peer cannot keep up. */
  static final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    RelayHandler(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf)) {
        // leftovers of the HTTP decoder (an empty last content) carry no bytes
        ReferenceCountUtil.release(msg);
        return;
      }
      if (!peer.isActive()) {
        ReferenceCountUtil.release(msg);
        return;
      }
      peer.writeAndFlush(msg)
          .addListener(
              (ChannelFutureListener)
                  written -> {
                    if (!written.isSuccess()) {
                      ctx.channel().close();
                    }
                  });
      if (!peer.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // this side drained: let the peer read again
      if (ctx.channel().isWritable()) {
        peer.config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.channel().close();
    }
  }
}
