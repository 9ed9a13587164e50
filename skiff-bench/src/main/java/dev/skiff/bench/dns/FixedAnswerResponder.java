package dev.skiff.bench.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline for {@link DnsLoad}: the least a UDP DNS responder can do. It serves the same way
 * the DNS server does (platform threads on one channel) but answers every query by copying it and
 * appending one fixed A record, without reading the question.
 */
final class FixedAnswerResponder implements AutoCloseable {
  private static final byte[] ANSWER = {
    (byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 43, 0, 1
  };

  private final DatagramChannel channel;
  private final List<Thread> threads = new ArrayList<>();

  private FixedAnswerResponder(DatagramChannel channel) {
    this.channel = channel;
  }

  static FixedAnswerResponder start() throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    FixedAnswerResponder responder = new FixedAnswerResponder(channel);
    int workers = Math.max(2, Runtime.getRuntime().availableProcessors());
    for (int i = 0; i < workers; i++) {
      responder.threads.add(Thread.ofPlatform().daemon().start(responder::serve));
    }
    return responder;
  }

  int port() throws IOException {
    return ((InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  private void serve() {
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    while (true) {
      try {
        buffer.clear();
        SocketAddress client = channel.receive(buffer);
        int length = buffer.position();
        if (length < 12) {
          continue;
        }
        byte[] response = new byte[length + ANSWER.length];
        System.arraycopy(buffer.array(), 0, response, 0, length);
        System.arraycopy(ANSWER, 0, response, length, ANSWER.length);
        response[2] |= (byte) 0x84;
        response[7] = 1;
        channel.send(ByteBuffer.wrap(response), client);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // a client gone away: keep serving the others
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
    for (Thread thread : threads) {
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
