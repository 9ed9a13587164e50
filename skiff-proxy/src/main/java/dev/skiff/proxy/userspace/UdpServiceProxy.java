package dev.skiff.proxy.userspace;

import dev.skiff.proxy.state.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays UDP datagrams of one service address: each client address gets a session (a socket
 * connected to the endpoint the picker chose) whose replies go back to the client from the service
 * address; a session idle for the timeout is closed.
 */
final class UdpServiceProxy implements ServiceListener {
  private static final Logger log = LoggerFactory.getLogger(UdpServiceProxy.class);
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

  private final DatagramChannel server;
  private final EndpointPicker picker;
  private final String service;
  private final Map<InetSocketAddress, DatagramChannel> sessions = new ConcurrentHashMap<>();

  UdpServiceProxy(InetSocketAddress address, EndpointPicker picker, String service)
      throws IOException {
    this.server = DatagramChannel.open();
    this.picker = picker;
    this.service = service;
    server.bind(address);
    Thread.ofVirtual().name("userspace-udp-" + service).start(this::receiveLoop);
  }

  @Override
  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) server.getLocalAddress();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void receiveLoop() {
    ByteBuffer buffer = ByteBuffer.allocate(65536);
    while (server.isOpen()) {
      try {
        buffer.clear();
        InetSocketAddress client = (InetSocketAddress) server.receive(buffer);
        buffer.flip();
        DatagramChannel session = sessions.get(client);
        if (session == null) {
          session = open(client);
          if (session == null) {
            continue;
          }
        }
        session.write(buffer);
      } catch (IOException e) {
        if (server.isOpen()) {
          log.debug("userspace udp relay failed service={} error=\"{}\"", service, e.getMessage());
        }
      }
    }
  }

  private DatagramChannel open(InetSocketAddress client) throws IOException {
    InetAddress clientIp = client.getAddress();
    List<Endpoint> candidates = picker.candidates(clientIp);
    if (candidates.isEmpty()) {
      return null;
    }
    Endpoint ep = candidates.getFirst();
    DatagramChannel session = DatagramChannel.open();
    session.connect(new InetSocketAddress(ep.ip(), ep.port()));
    session.socket().setSoTimeout((int) IDLE_TIMEOUT.toMillis());
    picker.connected(clientIp, ep);
    sessions.put(client, session);
    Thread.ofVirtual().start(() -> replies(client, session));
    return session;
  }

  private void replies(InetSocketAddress client, DatagramChannel session) {
    byte[] data = new byte[65536];
    java.net.DatagramPacket packet = new java.net.DatagramPacket(data, data.length);
    try (session) {
      while (session.isOpen() && server.isOpen()) {
        session.socket().receive(packet);
        server.send(ByteBuffer.wrap(data, 0, packet.getLength()), client);
      }
    } catch (SocketTimeoutException e) {
      log.debug("userspace udp session idle service={} client={}", service, client);
    } catch (IOException e) {
      log.debug("userspace udp session ended service={} error=\"{}\"", service, e.getMessage());
    } finally {
      sessions.remove(client, session);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
      for (DatagramChannel session : sessions.values()) {
        session.close();
      }
    } catch (IOException e) {
      log.debug("userspace udp close failed service={}", service);
    }
  }
}
