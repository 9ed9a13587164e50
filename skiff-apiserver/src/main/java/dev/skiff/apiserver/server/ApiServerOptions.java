package dev.skiff.apiserver.server;

import java.time.Duration;

/**
 * How the API server listens.
 *
 * @param bindAddress the address to listen on, e.g. "0.0.0.0" or "127.0.0.1"
 * @param port the TCP port; 0 picks a free one ({@link ApiServer#port()} tells which)
 * @param maxRequestBodyBytes larger request bodies are refused with 413 RequestEntityTooLarge
 * @param maxConcurrentStreams the HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection
 * @param ioThreads Netty event-loop threads; 0 for Netty's default (twice the cores)
 * @param shutdownTimeout how long {@link ApiServer#close()} waits for requests in flight
 * @param version what /version answers
 */
public record ApiServerOptions(
    String bindAddress,
    int port,
    long maxRequestBodyBytes,
    int maxConcurrentStreams,
    int ioThreads,
    Duration shutdownTimeout,
    VersionInfo version) {
  public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
  public static final int DEFAULT_PORT = 6443;

  /** Kubernetes' limit for a request body: 3 MiB. */
  public static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 3L * 1024 * 1024;

  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 1000;
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  public ApiServerOptions {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (maxRequestBodyBytes <= 0 || maxRequestBodyBytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxRequestBodyBytes out of range: " + maxRequestBodyBytes);
    }
    if (maxConcurrentStreams <= 0) {
      throw new IllegalArgumentException("maxConcurrentStreams must be positive");
    }
    if (ioThreads < 0) {
      throw new IllegalArgumentException("ioThreads must not be negative");
    }
  }

  /** Defaults for everything but the address and port. */
  public ApiServerOptions(String bindAddress, int port) {
    this(
        bindAddress,
        port,
        DEFAULT_MAX_REQUEST_BODY_BYTES,
        DEFAULT_MAX_CONCURRENT_STREAMS,
        0,
        DEFAULT_SHUTDOWN_TIMEOUT,
        VersionInfo.current());
  }

  /** 0.0.0.0:6443 and the defaults. */
  public static ApiServerOptions defaults() {
    return new ApiServerOptions(DEFAULT_BIND_ADDRESS, DEFAULT_PORT);
  }

  public ApiServerOptions withPort(int newPort) {
    return new ApiServerOptions(
        bindAddress,
        newPort,
        maxRequestBodyBytes,
        maxConcurrentStreams,
        ioThreads,
        shutdownTimeout,
        version);
  }

  public ApiServerOptions withMaxRequestBodyBytes(long bytes) {
    return new ApiServerOptions(
        bindAddress, port, bytes, maxConcurrentStreams, ioThreads, shutdownTimeout, version);
  }

  public ApiServerOptions withVersion(VersionInfo newVersion) {
    return new ApiServerOptions(
        bindAddress,
        port,
        maxRequestBodyBytes,
        maxConcurrentStreams,
        ioThreads,
        shutdownTimeout,
        newVersion);
  }
}
