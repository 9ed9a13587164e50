package dev.skiff.kubelet.sim;

import dev.skiff.kubelet.agent.ServingCertificate;
import io.fabric8.kubernetes.api.model.Pod;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AttributeKey;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The kubelet API of simulated nodes, reduced to what the API server's metrics scraper reads: each
 * node gets its own HTTPS port on one address and answers {@code GET /metrics/resource} (see {@link
 * SimResourceMetrics}) and {@code /healthz}. There is no authentication: the listener is meant for
 * a loopback address of a test or simulation host.
 */
final class SimKubeletServer implements AutoCloseable {
  private static final AttributeKey<String> NODE = AttributeKey.valueOf("sim-node");

  private final InetAddress address;
  private final Function<String, List<Pod>> podsOnNode;
  private final InstantSource clock;
  private final SimResourceMetrics metrics = new SimResourceMetrics();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Channel> listeners = new ArrayList<>();
  private final SslContext ssl;

  /**
   * @param podsOnNode the pods bound to a node of ours, by node name
   */
  SimKubeletServer(
      InetAddress address, Function<String, List<Pod>> podsOnNode, InstantSource clock) {
    this.address = address;
    this.podsOnNode = podsOnNode;
    this.clock = clock;
    ServingCertificate certificate =
        ServingCertificate.selfSigned("sim-kubelet", List.of(address.getHostAddress()));
    try {
      this.ssl =
          SslContextBuilder.forServer(
                  new ByteArrayInputStream(
                      certificate.certificatePem().getBytes(StandardCharsets.US_ASCII)),
                  new ByteArrayInputStream(
                      certificate.keyPem().getBytes(StandardCharsets.US_ASCII)))
              .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the simulated kubelet TLS context", e);
    }
  }

  String address() {
    return address.getHostAddress();
  }

  /** Opens a port for {@code node}; returns the port. */
  synchronized int listen(String node) {
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast(ssl.newHandler(channel.alloc()))
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new Handler(channel.parent().attr(NODE).get()));
                  }
                });
    try {
      Channel channel = bootstrap.bind(new InetSocketAddress(address, 0)).sync().channel();
      channel.attr(NODE).set(node);
      listeners.add(channel);
      return ((InetSocketAddress) channel.localAddress()).getPort();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while binding a simulated kubelet port", e);
    }
  }

  /** Drops the CPU counters of pods that are gone. */
  void retainPods(Set<String> uids) {
    metrics.retain(uids);
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String node;

    Handler(String node) {
      this.node = node;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      FullHttpResponse response;
      if (!request.method().equals(HttpMethod.GET)) {
        response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
      } else if (path.equals("/metrics/resource")) {
        response =
            text(HttpResponseStatus.OK, metrics.render(podsOnNode.apply(node), clock.instant()));
        response
            .headers()
            .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
      } else if (path.equals("/healthz")) {
        response = text(HttpResponseStatus.OK, "ok");
      } else {
        response = text(HttpResponseStatus.NOT_FOUND, "404 page not found\n");
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setKeepAlive(response, keepAlive);
      var written = ctx.writeAndFlush(response);
      if (!keepAlive) {
        written.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }

  @Override
  public synchronized void close() {
    listeners.forEach(Channel::close);
    listeners.clear();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
  }
}
