package dev.skiff.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;

/** A stand-in upstream on loopback: answers every A question with one fixed address. */
final class FixedResponder implements AutoCloseable {
  private final DatagramSocket udp;
  private final ServerSocket tcp;
  private final InetAddress answer;

  private FixedResponder(DatagramSocket udp, ServerSocket tcp, InetAddress answer) {
    this.udp = udp;
    this.tcp = tcp;
    this.answer = answer;
  }

  static FixedResponder start(String address) throws IOException {
    DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 16, InetAddress.getLoopbackAddress());
    FixedResponder responder = new FixedResponder(udp, tcp, RecordIndex.literal(address));
    Thread.ofVirtual().start(responder::serveUdp);
    Thread.ofVirtual().start(responder::serveTcp);
    return responder;
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
  }

  private byte[] respond(byte[] query) throws IOException {
    Message request = new Message(query);
    Message response = new Message(request.getHeader().getID());
    response.getHeader().setFlag(Flags.QR);
    response.getHeader().setFlag(Flags.RA);
    response.addRecord(request.getQuestion(), Section.QUESTION);
    response.addRecord(
        new ARecord(request.getQuestion().getName(), DClass.IN, 60, answer), Section.ANSWER);
    return response.toWire();
  }

  private void serveUdp() {
    byte[] buffer = new byte[65535];
    while (!udp.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        udp.receive(packet);
        byte[] response = respond(Arrays.copyOf(buffer, packet.getLength()));
        udp.send(new DatagramPacket(response, response.length, packet.getSocketAddress()));
      } catch (IOException e) {
        // closed, or a query this stand-in cannot read
      }
    }
  }

  private void serveTcp() {
    while (!tcp.isClosed()) {
      try (Socket socket = tcp.accept()) {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] query = new byte[in.readUnsignedShort()];
        in.readFully(query);
        byte[] response = respond(query);
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeShort(response.length);
        out.write(response);
        out.flush();
      } catch (IOException e) {
        // closed, or a client that went away
      }
    }
  }

  @Override
  public void close() throws IOException {
    udp.close();
    tcp.close();
  }
}
