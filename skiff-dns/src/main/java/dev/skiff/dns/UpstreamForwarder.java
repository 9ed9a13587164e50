package dev.skiff.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;

/**
 * Relays queries for names outside the cluster to upstream servers, tried in order, each on its own
 * virtual thread: over UDP, and over TCP when the client came over TCP or the upstream truncated.
 * The query goes as the client wrote it and the response comes back unchanged; when no upstream
 * answers, the client gets SERVFAIL.
 */
final class UpstreamForwarder {
  private static final Logger log = LoggerFactory.getLogger(UpstreamForwarder.class);

  private final List<InetSocketAddress> upstreams;
  private final Duration timeout;

  UpstreamForwarder(List<InetSocketAddress> upstreams, Duration timeout) {
    this.upstreams = List.copyOf(upstreams);
    this.timeout = timeout;
  }

  void forward(byte[] query, boolean tcp, Consumer<byte[]> reply) {
    Thread.ofVirtual().name("dns-forward").start(() -> reply.accept(exchange(query, tcp)));
  }

  byte[] exchange(byte[] query, boolean tcp) {
    for (InetSocketAddress upstream : upstreams) {
      try {
        byte[] response = tcp ? overTcp(upstream, query) : overUdp(upstream, query);
        if (response != null) {
          return response;
        }
      } catch (IOException e) {
        log.debug("event=dns_upstream_failed upstream={} error={}", upstream, e.toString());
      }
    }
    return QueryHandler.errorResponse(query, query.length, Rcode.SERVFAIL);
  }

  private byte[] overUdp(InetSocketAddress upstream, byte[] query) throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout((int) timeout.toMillis());
      socket.connect(upstream);
      socket.send(new DatagramPacket(query, query.length));
      byte[] buffer = new byte[65535];
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
          socket.receive(packet);
        } catch (SocketTimeoutException e) {
          return null;
        }
        if (packet.getLength() >= QueryHandler.HEADER_LENGTH
            && buffer[0] == query[0]
            && buffer[1] == query[1]) {
          boolean truncated = (buffer[2] & 0x02) != 0;
          return truncated ? overTcp(upstream, query) : Arrays.copyOf(buffer, packet.getLength());
        }
      }
      return null;
    }
  }

  private byte[] overTcp(InetSocketAddress upstream, byte[] query) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(upstream, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeShort(query.length);
      out.write(query);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] response = new byte[in.readUnsignedShort()];
      in.readFully(response);
      return response;
    }
  }
}
