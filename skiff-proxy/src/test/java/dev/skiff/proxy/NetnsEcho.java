package dev.skiff.proxy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny program the traffic tests start inside a namespace with nsenter: {@code server PORT}
 * answers every connection with the address it was reached on; {@code client HOST PORT N} connects
 * N times and prints each answer on a line.
 */
public final class NetnsEcho {
  private NetnsEcho() {}

  public static void main(String[] args) throws IOException {
    if (args[0].equals("server")) {
      try (ServerSocket server = new ServerSocket()) {
        server.bind(new InetSocketAddress(Integer.parseInt(args[1])));
        System.out.println("ready");
        System.out.flush();
        while (true) {
          try (Socket s = server.accept();
              OutputStream out = s.getOutputStream()) {
            out.write(s.getLocalAddress().getHostAddress().getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    }
    int n = Integer.parseInt(args[3]);
    for (int i = 0; i < n; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), 3000);
        s.setSoTimeout(3000);
        System.out.println(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }
}
