package dev.skiff.apiserver.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * A kubelet API stand-in over HTTPS on loopback: {@code /containerLogs} (three lines, or a line
 * every 50 ms with follow=true; a 400 for container "broken"), {@code /metrics/resource} (CPU
 * counters growing at 250m for the node and 10m per container, by this server's clock), {@code
 * /healthz}, an upgrade endpoint (any request with Upgrade) that answers 101, says "ready\n" and
 * echoes bytes, and an echo of method and URI for every other path. It records each request with
 * the common name of the client certificate it came with.
 */
final class FakeKubelet implements AutoCloseable {
  /** One request as the fake saw it. */
  record Seen(String method, String uri, Map<String, List<String>> headers, String clientCn) {}

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  private final long startMillis = System.currentTimeMillis();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger openLogStreams = new AtomicInteger();
  private volatile String podNamespace = "default";
  private volatile String podName = "web";

  FakeKubelet(PrivateKey key, X509Certificate... chain) throws Exception {
    SslContext tls =
        SslContextBuilder.forServer(key, chain)
            .clientAuth(ClientAuth.OPTIONAL)
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .build();
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel.pipeline().addLast("tls", tls.newHandler(channel.alloc()));
                    channel.pipeline().addLast("http", new HttpServerCodec());
                    channel.pipeline().addLast("aggregator", new HttpObjectAggregator(1 << 20));
                    channel.pipeline().addLast("api", new Api());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The pod whose containers appear in /metrics/resource. */
  void reportPod(String namespace, String name) {
    this.podNamespace = namespace;
    this.podName = name;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** Followed log streams still open (the API server closes them when its client goes). */
  int openLogStreams() {
    return openLogStreams.get();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Api extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      request
          .headers()
          .forEach(
              h ->
                  headers
                      .computeIfAbsent(h.getKey(), k -> new java.util.ArrayList<>())
                      .add(h.getValue()));
      seen.add(new Seen(request.method().name(), request.uri(), headers, clientCn(ctx)));
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      String path = uri.path();
      if (request.headers().contains(HttpHeaderNames.UPGRADE)) {
        if (path.endsWith("/refuse")) {
          text(ctx, HttpResponseStatus.BAD_REQUEST, "container refuse is not running");
        } else {
          upgrade(ctx, request);
        }
      } else if (path.startsWith("/containerLogs/")) {
        logs(ctx, path, uri.parameters());
      } else if (path.equals("/metrics/resource")) {
        text(ctx, HttpResponseStatus.OK, metrics());
      } else if (path.equals("/healthz")) {
        text(ctx, HttpResponseStatus.OK, "ok");
      } else {
        text(ctx, HttpResponseStatus.OK, request.method().name() + " " + request.uri());
      }
    }

    private void logs(ChannelHandlerContext ctx, String path, Map<String, List<String>> params) {
      String container = path.substring(path.lastIndexOf('/') + 1);
      if (container.equals("broken")) {
        text(ctx, HttpResponseStatus.BAD_REQUEST, "failed to open log file of container broken");
        return;
      }
      if (!params.getOrDefault("follow", List.of()).contains("true")) {
        text(
            ctx,
            HttpResponseStatus.OK,
            container + " line 1\n" + container + " line 2\n" + container + " line 3\n");
        return;
      }
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.writeAndFlush(head);
      openLogStreams.incrementAndGet();
      AtomicInteger line = new AtomicInteger();
      ScheduledFuture<?> ticks =
          ctx.executor()
              .scheduleAtFixedRate(
                  () ->
                      ctx.writeAndFlush(
                          new DefaultHttpContent(
                              Unpooled.copiedBuffer(
                                  "tick " + line.incrementAndGet() + "\n",
                                  StandardCharsets.UTF_8))),
                  0,
                  50,
                  TimeUnit.MILLISECONDS);
      ctx.channel()
          .closeFuture()
          .addListener(
              f -> {
                ticks.cancel(false);
                openLogStreams.decrementAndGet();
              });
    }

    private String metrics() {
      long now = System.currentTimeMillis();
      double elapsed = (now - startMillis) / 1000.0;
      String container =
          "{container=\"app\",namespace=\"" + podNamespace + "\",pod=\"" + podName + "\"}";
      return String.join(
          "\n",
          "# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node",
          "# TYPE node_cpu_usage_seconds_total counter",
          "node_cpu_usage_seconds_total " + (elapsed / 4) + " " + now,
          "# TYPE node_memory_working_set_bytes gauge",
          "node_memory_working_set_bytes 1.048576e+08 " + now,
          "# TYPE container_cpu_usage_seconds_total counter",
          "container_cpu_usage_seconds_total" + container + " " + (elapsed / 100) + " " + now,
          "# TYPE container_memory_working_set_bytes gauge",
          "container_memory_working_set_bytes" + container + " 2.097152e+07 " + now,
          "# TYPE scrape_error gauge",
          "scrape_error 0",
          "");
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request) {
      String protocol = request.headers().get(HttpHeaderNames.UPGRADE);
      ctx.pipeline().remove("aggregator");
      ctx.pipeline().remove("http");
      ctx.pipeline().replace(this, "echo", new Echo());
      String head =
          "HTTP/1.1 101 Switching Protocols\r\n"
              + "Connection: Upgrade\r\n"
              + "Upgrade: "
              + protocol
              + "\r\n"
              + accept(request.headers().get("Sec-WebSocket-Key"))
              + "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n"
              + "ready\n";
      ctx.writeAndFlush(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
    }

    /** The Sec-WebSocket-Accept line for a WebSocket key (RFC 6455), empty for SPDY. */
    private static String accept(String key) {
      if (key == null) {
        return "";
      }
      try {
        byte[] digest =
            java.security.MessageDigest.getInstance("SHA-1")
                .digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                        .getBytes(StandardCharsets.ISO_8859_1));
        return "Sec-WebSocket-Accept: "
            + java.util.Base64.getEncoder().encodeToString(digest)
            + "\r\n";
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    private void text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      ctx.writeAndFlush(response);
    }
  }

  private static String clientCn(ChannelHandlerContext ctx) {
    try {
      SslHandler tls = ctx.pipeline().get(SslHandler.class);
      X509Certificate peer = (X509Certificate) tls.engine().getSession().getPeerCertificates()[0];
      return peer.getSubjectX500Principal().getName();
    } catch (SSLPeerUnverifiedException e) {
      return "";
    }
  }

  /** After the switch: every byte comes back. */
  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf bytes) {
        ctx.writeAndFlush(bytes);
      } else {
        ctx.fireChannelRead(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close().addListener(ChannelFutureListener.CLOSE);
    }
  }
}
