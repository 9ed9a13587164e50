package dev.skiff.apiserver.server;

import dev.skiff.apiserver.audit.AuditLog;
import dev.skiff.apiserver.http.ApiHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's HTTPS transport: HTTP/1.1 and HTTP/2 (ALPN) over TLS, client certificates
 * optional, WebSocket for streams. It authenticates each request, answers /healthz, /livez, /readyz
 * and /version itself and hands every other request to the {@link ApiHandler} on a virtual thread.
 *
 * <pre>{@code
 * ApiServer server = new ApiServer(options, ServerTls.fromPki(pki), handler, healthChecks);
 * server.start();          // binds; throws PortInUseException when the port is taken
 * int port = server.port();
 * server.close();          // stops accepting, lets requests in flight finish, closes connections
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

  private final ApiServerOptions options;
  private final ServerTls tls;
  private final ApiHandler handler;
  private final Authenticator authenticator;
  private final Authorizer authorizer;
  private final AuditLog audit;

  private EventLoopGroup acceptor;
  private EventLoopGroup workers;
  private ExecutorService requests;
  private ChannelGroup connections;
  private Channel listener;

  /** A server that authenticates by client certificate and allows every authenticated request. */
  public ApiServer(
      ApiServerOptions options, ServerTls tls, ApiHandler handler, HealthChecks healthChecks) {
    this(options, tls, handler, healthChecks, new X509Authenticator(), Authorizer.allowAll());
  }

  public ApiServer(
      ApiServerOptions options,
      ServerTls tls,
      ApiHandler handler,
      HealthChecks healthChecks,
      Authenticator authenticator,
      Authorizer authorizer) {
    this(options, tls, handler, healthChecks, authenticator, authorizer, null);
  }

  /**
   * A server that also writes an audit event per request to {@code audit} (null for none), which it
   * closes when it stops.
   */
  public ApiServer(
      ApiServerOptions options,
      ServerTls tls,
      ApiHandler handler,
      HealthChecks healthChecks,
      Authenticator authenticator,
      Authorizer authorizer,
      AuditLog audit) {
    this.audit = audit;
    this.options = options;
    this.tls = tls;
    this.handler =
        new NonResourceHandler(handler, healthChecks, options.version(), tls.caBundlePem());
    this.authenticator = authenticator;
    this.authorizer = authorizer;
  }

  /** Binds the port and returns; requests are served from then on. */
  public synchronized void start() {
    if (listener != null) {
      throw new IllegalStateException("the API server is already started");
    }
    SslContext ssl = sslContext(tls);
    acceptor =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("skiff-accept"), NioIoHandler.newFactory());
    workers =
        new MultiThreadIoEventLoopGroup(
            options.ioThreads(), new DefaultThreadFactory("skiff-io"), NioIoHandler.newFactory());
    requests = Executors.newVirtualThreadPerTaskExecutor();
    connections = new DefaultChannelGroup("skiff-connections", GlobalEventExecutor.INSTANCE);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, true)
            .childHandler(
                new ApiServerInitializer(
                    ssl,
                    connections,
                    options,
                    handler,
                    authenticator,
                    authorizer,
                    requests,
                    audit));
    try {
      listener =
          bootstrap
              .bind(new InetSocketAddress(options.bindAddress(), options.port()))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) {
      shutdownResources();
      if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
        throw new PortInUseException(options.bindAddress(), options.port(), e);
      }
      throw new IllegalStateException(
          "cannot listen on "
              + options.bindAddress()
              + ":"
              + options.port()
              + ": "
              + e.getMessage(),
          e);
    }
    log.info("event=listening address={} port={}", options.bindAddress(), port());
  }

  /** The port the server listens on (the chosen one when the options said 0). */
  public int port() {
    return address().getPort();
  }

  public InetSocketAddress address() {
    Channel channel = listener;
    if (channel == null) {
      throw new IllegalStateException("the API server is not started");
    }
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Stops gracefully: no new connections, requests in flight get up to the shutdown timeout to
   * finish, then every connection (and so every watch) is closed.
   */
  @Override
  public synchronized void close() {
    if (listener == null) {
      if (audit != null) {
        audit.close();
      }
      return;
    }
    listener.close().syncUninterruptibly();
    listener = null;
    requests.shutdown();
    try {
      requests.awaitTermination(options.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    connections.close().awaitUninterruptibly(options.shutdownTimeout().toMillis());
    shutdownResources();
    log.info("event=stopped");
  }

  private void shutdownResources() {
    if (requests != null) {
      requests.shutdownNow();
    }
    if (acceptor != null) {
      acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (audit != null) {
      audit.close();
    }
  }

  static SslContext sslContext(ServerTls tls) {
    try {
      return SslContextBuilder.forServer(
              tls.servingKey(), tls.servingChain().toArray(X509Certificate[]::new))
          .sslProvider(SslProvider.JDK)
          .trustManager(tls.clientCas().toArray(X509Certificate[]::new))
          .clientAuth(ClientAuth.OPTIONAL)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("invalid TLS configuration: " + e.getMessage(), e);
    }
  }
}
