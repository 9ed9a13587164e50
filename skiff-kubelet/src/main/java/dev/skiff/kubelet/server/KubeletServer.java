package dev.skiff.kubelet.server;

import dev.skiff.kubelet.cri.CriClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet API on port 10250: HTTPS with the node's serving certificate; client certificates
 * requested (not required) and verified against the cluster CA; bearer tokens checked with
 * TokenReview and access with SubjectAccessReview on {@code nodes/<subresource>}. Serves {@code
 * /healthz}, {@code /pods}, {@code /containerLogs}, {@code /exec}, {@code /attach}, {@code
 * /portForward}, {@code /stats/summary} and {@code /metrics/resource}, and rotates the containers'
 * log files.
 */
public final class KubeletServer implements AutoCloseable {
  static final String HTTP_CODEC = "http";

  private static final Logger LOG = LoggerFactory.getLogger(KubeletServer.class);

  private final KubeletServerOptions options;
  private final KubeletHttpHandler.Context context;
  private final ContainerLogManager logManager;
  private final SslContext ssl;
  private EventLoopGroup group;
  private Channel serverChannel;

  /**
   * A kubelet API server that asks the API server (through {@code client}) about tokens and access,
   * and the runtime (through {@code cri}) about containers.
   *
   * @param pods the pods this kubelet runs, as {@code /pods} lists them
   */
  public KubeletServer(
      KubeletServerOptions options,
      KubernetesClient client,
      CriClient cri,
      Supplier<List<Pod>> pods) {
    this(options, new ApiServerReviews(client, options.nodeName()), cri, pods);
  }

  private KubeletServer(
      KubeletServerOptions options,
      ApiServerReviews reviews,
      CriClient cri,
      Supplier<List<Pod>> pods) {
    this(options, reviews, reviews, cri, pods, InstantSource.system());
  }

  KubeletServer(
      KubeletServerOptions options,
      KubeletAuthenticator authenticator,
      KubeletAuthorizer authorizer,
      CriClient cri,
      Supplier<List<Pod>> pods,
      InstantSource clock) {
    this.options = options;
    this.context =
        new KubeletHttpHandler.Context(
            options.nodeName(),
            authenticator,
            authorizer,
            cri,
            pods,
            new NodeStats(options.nodeName(), options.procRoot(), options.cgroupRoot(), cri),
            Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("kubelet-api-", 0).factory()),
            clock);
    this.logManager =
        cri == null
            ? null
            : new ContainerLogManager(
                cri, options.containerLogMaxSize(), options.containerLogMaxFiles(), clock);
    this.ssl = sslContext(options);
  }

  static SslContext sslContext(KubeletServerOptions options) {
    try {
      return SslContextBuilder.forServer(
              privateKey(options.servingKeyPem()),
              certificates(options.servingCertificatePem()).toArray(X509Certificate[]::new))
          .trustManager(certificates(options.clientCaPem()).toArray(X509Certificate[]::new))
          .clientAuth(ClientAuth.OPTIONAL)
          .build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("unusable serving certificate: " + e.getMessage(), e);
    }
  }

  /** Listens; returns once the port is bound. */
  public synchronized KubeletServer start() {
    if (serverChannel != null) {
      return this;
    }
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 256)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    channel
                        .pipeline()
                        .addLast("tls", ssl.newHandler(channel.alloc()))
                        .addLast(HTTP_CODEC, new HttpServerCodec())
                        .addLast("kubelet", new KubeletHttpHandler(context));
                  }
                });
    try {
      serverChannel =
          bootstrap
              .bind(new InetSocketAddress(options.bindAddress(), options.port()))
              .sync()
              .channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully();
      throw new IllegalStateException("interrupted while binding the kubelet API", e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      throw new IllegalStateException(
          "cannot listen on " + options.bindAddress() + ":" + options.port() + ": " + e, e);
    }
    if (logManager != null) {
      logManager.start();
    }
    LOG.info("kubelet API listening address={} port={}", options.bindAddress(), port());
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  public NodeStats stats() {
    return context.stats();
  }

  @Override
  public synchronized void close() {
    if (logManager != null) {
      logManager.close();
    }
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly();
      serverChannel = null;
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      group = null;
    }
    context.workers().shutdownNow();
  }

  // ---- PEM

  static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object;
      while ((object = parser.readObject()) != null) {
        if (object instanceof X509CertificateHolder holder) {
          certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("bad certificate in PEM: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("no certificate in PEM text");
    }
    return certificates;
  }

  static PrivateKey privateKey(String pem) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object;
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      while ((object = parser.readObject()) != null) {
        if (object instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable private key PEM: " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("no private key in PEM text");
  }
}
