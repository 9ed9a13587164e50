package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The written CNI configuration, run through Debian's plugins inside a node namespace: a pod
 * namespace gets an address from the podCIDR, reaches its gateway, and a hostPort reaches it.
 */
class CniBridgeIT {
  private static final String POD_CIDR = "10.42.5.0/24";
  private static final Path CNI_BIN = Path.of("/usr/lib/cni");
  private static final List<Map<String, Object>> PORTS =
      List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp"));

  private static final TestNamespaces namespaces = new TestNamespaces();
  private static Path dir;
  private static HostCommands node;
  private static HostCommands pod;
  private static CniChain chain;
  private static JsonNode result;
  private static Process httpd;

  @BeforeAll
  static void addPod() throws Exception {
    dir = Files.createTempDirectory("skiff-cni-");
    node = namespaces.create("cnode");
    pod = namespaces.create("cpod");
    // the node's own address, on a veth pair (no dummy module in every kernel)
    node.run("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0-peer");
    node.run("ip", "addr", "add", "192.168.90.2/24", "dev", "eth0");
    node.run("ip", "link", "set", "eth0", "up");
    node.run("ip", "link", "set", "eth0-peer", "up");
    Forwarding.enable(node);
    Path conflist = CniConfig.write(dir.resolve("net.d"), POD_CIDR, dir.resolve("ipam"));
    chain = new CniChain(node, conflist, CNI_BIN);
    result = chain.add("cni-it", "/run/netns/" + namespaces.name("cpod"), PORTS);
  }

  @AfterAll
  static void cleanUp() throws Exception {
    try {
      if (httpd != null) {
        httpd.destroyForcibly().waitFor();
      }
      if (chain != null) {
        chain.del("cni-it", "/run/netns/" + namespaces.name("cpod"), PORTS);
      }
    } finally {
      namespaces.close();
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
  }

  @Test
  void thePodGetsAnAddressFromThePodCidrAndReachesItsGateway() {
    String address = result.path("ips").get(0).path("address").asString();
    String ip = address.substring(0, address.indexOf('/'));

    assertThat(Cidr.parse(POD_CIDR).contains(ip)).isTrue();
    assertThat(result.path("ips").get(0).path("gateway").asString()).isEqualTo("10.42.5.1");
    assertThat(pod.run("ip", "-4", "addr", "show", "eth0")).contains(address);
    assertThat(pod.run("ip", "route", "show", "default")).contains("via 10.42.5.1");
    assertThat(node.run("ip", "-4", "addr", "show", CniConfig.BRIDGE)).contains("10.42.5.1/24");
    assertThat(TestNamespaces.ping(pod, "10.42.5.1")).isTrue();
    assertThat(dir.resolve("ipam/skiff/" + ip)).exists();
  }

  @Test
  void aHostPortOnTheNodeReachesThePod() throws Exception {
    Path www = Files.createDirectories(dir.resolve("www"));
    Files.writeString(www.resolve("index.html"), "hello from the pod\n");
    httpd =
        new ProcessBuilder(
                pod.netns()
                    .wrap(List.of("busybox", "httpd", "-f", "-p", "80", "-h", www.toString())))
            .redirectErrorStream(true)
            .start();

    // busybox nc, not wget: the static busybox wget segfaults on this host
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        node.execute(
                                List.of("busybox", "nc", "192.168.90.2", "8080"),
                                "GET / HTTP/1.0\r\n\r\n",
                                Map.of())
                            .stdout())
                    .startsWith("HTTP/1.1 200 OK")
                    .endsWith("\r\n\r\nhello from the pod\n"));
  }
}
