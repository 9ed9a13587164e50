package dev.skiff.kubelet.cri;

import dev.skiff.kubelet.cri.v1.ImageServiceGrpc;
import dev.skiff.kubelet.cri.v1.RuntimeServiceGrpc;
import dev.skiff.kubelet.cri.v1.VersionRequest;
import dev.skiff.kubelet.cri.v1.VersionResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A CRI (runtime.v1) connection to a container runtime's unix socket: the runtime and image
 * services as blocking stubs with a per-call deadline. One client per runtime endpoint; the stubs
 * are thread-safe and share one HTTP/2 connection.
 */
public final class CriClient implements AutoCloseable {
  /** Deadline for ordinary calls; image pulls and container stops pass their own. */
  public static final long DEFAULT_TIMEOUT_SECONDS = 30;

  private final String endpoint;
  private final EventLoopGroup eventLoop;
  private final ManagedChannel channel;

  private CriClient(String endpoint, EventLoopGroup eventLoop, ManagedChannel channel) {
    this.endpoint = endpoint;
    this.eventLoop = eventLoop;
    this.channel = channel;
  }

  private CriClient(String endpoint, Path socket) {
    this.endpoint = endpoint;
    this.eventLoop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    this.channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(eventLoop)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            // image lists and container stats of a busy node are larger than gRPC's 4 MiB default
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
  }

  /** Connects lazily to {@code unix:///run/containerd/containerd.sock} or a plain socket path. */
  public static CriClient connect(String endpoint) {
    return new CriClient(endpoint, socketPath(endpoint));
  }

  /**
   * A client over a channel someone else built (an in-process channel in tests); {@link #close()}
   * shuts the channel down.
   */
  public static CriClient over(ManagedChannel channel, String endpoint) {
    return new CriClient(endpoint, null, channel);
  }

  /** The socket file an endpoint names: {@code unix:///PATH} or {@code /PATH}. */
  public static Path socketPath(String endpoint) {
    if (endpoint.startsWith("unix://")) {
      return Path.of(URI.create(endpoint).getPath());
    }
    if (endpoint.startsWith("/")) {
      return Path.of(endpoint);
    }
    throw new IllegalArgumentException(
        "container runtime endpoint must be unix:///PATH, got " + endpoint);
  }

  public String endpoint() {
    return endpoint;
  }

  /** The runtime service with the default deadline. */
  public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
    return runtime(DEFAULT_TIMEOUT_SECONDS);
  }

  public RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime(long timeoutSeconds) {
    return RuntimeServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
  }

  /** The image service with the default deadline. */
  public ImageServiceGrpc.ImageServiceBlockingStub images() {
    return images(DEFAULT_TIMEOUT_SECONDS);
  }

  public ImageServiceGrpc.ImageServiceBlockingStub images(long timeoutSeconds) {
    return ImageServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
  }

  /** The runtime's name and versions; throws {@link io.grpc.StatusRuntimeException} if down. */
  public VersionResponse version() {
    return runtime(5).version(VersionRequest.getDefaultInstance());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (eventLoop != null) {
      eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
