package dev.skiff.proxy.userspace;

import dev.skiff.proxy.state.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts TCP connections on one service address and splices each to an endpoint the picker chooses
 * (trying the next endpoint when one refuses), one virtual thread per direction.
 */
final class TcpServiceProxy implements ServiceListener {
  private static final Logger log = LoggerFactory.getLogger(TcpServiceProxy.class);

  private final ServerSocketChannel server;
  private final EndpointPicker picker;
  private final String service;

  TcpServiceProxy(InetSocketAddress address, EndpointPicker picker, String service)
      throws IOException {
    this.server = ServerSocketChannel.open();
    this.picker = picker;
    this.service = service;
    server.bind(address);
    Thread.ofVirtual().name("userspace-tcp-" + service).start(this::acceptLoop);
  }

  @Override
  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) server.getLocalAddress();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        Thread.ofVirtual().start(() -> serve(client));
      } catch (IOException e) {
        if (server.isOpen()) {
          log.warn("userspace accept failed service={} error=\"{}\"", service, e.getMessage());
        }
      }
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      InetSocketAddress from = (InetSocketAddress) client.getRemoteAddress();
      SocketChannel backend = null;
      for (Endpoint ep : picker.candidates(from.getAddress())) {
        try {
          backend = SocketChannel.open(new InetSocketAddress(ep.ip(), ep.port()));
          picker.connected(from.getAddress(), ep);
          break;
        } catch (IOException e) {
          log.debug("userspace endpoint refused service={} endpoint={}", service, ep);
        }
      }
      if (backend == null) {
        return;
      }
      try (SocketChannel upstream = backend) {
        Thread back = Thread.ofVirtual().start(() -> copy(upstream, client));
        copy(client, upstream);
        back.join();
      }
    } catch (IOException e) {
      log.debug("userspace connection ended service={} error=\"{}\"", service, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void copy(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      try {
        to.close();
      } catch (IOException ignored) {
        // already failing; the other direction sees the close
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      log.debug("userspace close failed service={}", service);
    }
  }
}
