package dev.skiff.kubelet.prober;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain HTTP/1.0 server that, like Go's and nginx's, answers a TLS handshake with 400 and closes,
 * and answers any request line with 200 (recording its path).
 */
final class PlainHttpServer implements AutoCloseable {
  final List<String> paths = new CopyOnWriteArrayList<>();
  private final ServerSocket socket;

  PlainHttpServer() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(this::serve);
  }

  int port() {
    return socket.getLocalPort();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket s = socket.accept()) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        int first = in.read();
        if (first == 0x16) {
          out.write(
              "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
                  .getBytes(StandardCharsets.US_ASCII));
          continue;
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.write(first);
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
          line.write(c);
        }
        String[] parts = line.toString(StandardCharsets.US_ASCII).split(" ");
        paths.add(parts.length > 1 ? parts[1] : "");
        out.write(
            "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // closed
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
