package dev.skiff.proxy.userspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The userspace proxy with real sockets on loopback: cluster IPs are 127.0.0.x addresses. */
class UserspaceProxierTest {
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final UserspaceProxier proxier = new UserspaceProxier();

  @AfterEach
  void close() throws Exception {
    proxier.close();
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  /** A TCP backend that answers every connection with its name and closes. */
  private Endpoint tcpBackend(String name) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closeables.add(server);
    Thread.ofVirtual()
        .start(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  byte[] request = in.readNBytes(4);
                  OutputStream out = s.getOutputStream();
                  out.write((name + ":" + new String(request, StandardCharsets.UTF_8)).getBytes());
                } catch (IOException e) {
                  return;
                }
              }
            });
    return new Endpoint("127.0.0.1", server.getLocalPort(), true, true, false, true);
  }

  private static int freePort(String ip) throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
      return probe.getLocalPort();
    }
  }

  private static String call(InetSocketAddress address, String localIp) throws IOException {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(localIp, 0));
      s.connect(address, 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write("ping".getBytes());
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void tcpRoundRobinSpreadsConnectionsEvenly() throws IOException {
    ServicePortName name = new ServicePortName("default", "web", "http", "TCP");
    ServicePortInfo svc = ServicePortInfo.clusterIP(name, "127.0.0.2", freePort("127.0.0.2"));
    List<Endpoint> eps = List.of(tcpBackend("a"), tcpBackend("b"), tcpBackend("c"));
    proxier.sync(new ProxyState(Map.of(name, svc), Map.of(name, eps)));

    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      counts.merge(call(proxier.address(name).orElseThrow(), "127.0.0.1"), 1, Integer::sum);
    }

    assertThat(counts)
        .containsOnly(Map.entry("a:ping", 2), Map.entry("b:ping", 2), Map.entry("c:ping", 2));
  }

  @Test
  void clientIpAffinityPinsEachClientToOneEndpoint() throws IOException {
    ServicePortName name = new ServicePortName("default", "sticky", "http", "TCP");
    ServicePortInfo svc =
        ServicePortInfo.clusterIP(name, "127.0.0.3", freePort("127.0.0.3")).withAffinity(600);
    List<Endpoint> eps = List.of(tcpBackend("a"), tcpBackend("b"));
    proxier.sync(new ProxyState(Map.of(name, svc), Map.of(name, eps)));
    InetSocketAddress address = proxier.address(name).orElseThrow();

    List<String> fromFirst = new ArrayList<>();
    List<String> fromSecond = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      fromFirst.add(call(address, "127.0.0.10"));
      fromSecond.add(call(address, "127.0.0.11"));
    }

    assertThat(fromFirst).containsOnly(fromFirst.getFirst());
    assertThat(fromSecond).containsOnly(fromSecond.getFirst());
    assertThat(fromFirst.getFirst()).isNotEqualTo(fromSecond.getFirst());
  }

  @Test
  void endpointChangesApplyAndDeletedServicesStopListening() throws IOException {
    ServicePortName name = new ServicePortName("default", "web", "http", "TCP");
    ServicePortInfo svc = ServicePortInfo.clusterIP(name, "127.0.0.4", freePort("127.0.0.4"));
    Endpoint a = tcpBackend("a");
    Endpoint b = tcpBackend("b");
    proxier.sync(new ProxyState(Map.of(name, svc), Map.of(name, List.of(a, b))));
    InetSocketAddress address = proxier.address(name).orElseThrow();

    proxier.sync(new ProxyState(Map.of(name, svc), Map.of(name, List.of(b))));
    assertThat(List.of(call(address, "127.0.0.1"), call(address, "127.0.0.1")))
        .containsOnly("b:ping");

    proxier.sync(ProxyState.EMPTY);
    assertThat(proxier.address(name)).isEmpty();
    // The listening socket is released once the accepting thread sees the close.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> call(address, "127.0.0.1"))
                    .isInstanceOf(IOException.class));
  }

  @Test
  void udpDatagramsAreRelayedBothWays() throws IOException {
    DatagramSocket backend = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    closeables.add(backend);
    Thread.ofVirtual()
        .start(
            () -> {
              byte[] buf = new byte[512];
              while (!backend.isClosed()) {
                try {
                  DatagramPacket p = new DatagramPacket(buf, buf.length);
                  backend.receive(p);
                  byte[] reply = ("echo:" + new String(buf, 0, p.getLength())).getBytes();
                  backend.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (IOException e) {
                  return;
                }
              }
            });
    ServicePortName name = new ServicePortName("kube-system", "dns", "dns", "UDP");
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName("127.0.0.5"))) {
      port = probe.getLocalPort();
    }
    ServicePortInfo svc = ServicePortInfo.clusterIP(name, "127.0.0.5", port);
    Endpoint ep = new Endpoint("127.0.0.1", backend.getLocalPort(), true, true, false, true);
    proxier.sync(new ProxyState(Map.of(name, svc), Map.of(name, List.of(ep))));

    try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      client.setSoTimeout(5000);
      for (String message : List.of("one", "two")) {
        byte[] data = message.getBytes();
        client.send(new DatagramPacket(data, data.length, proxier.address(name).orElseThrow()));
        DatagramPacket reply = new DatagramPacket(new byte[512], 512);
        client.receive(reply);
        assertThat(new String(reply.getData(), 0, reply.getLength())).isEqualTo("echo:" + message);
        assertThat(reply.getSocketAddress()).isEqualTo(proxier.address(name).orElseThrow());
      }
    }
  }
}
