package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes on different subnets behind a router namespace that knows nothing about pod addresses:
 * {@link PodNetwork} with the vxlan backend sets each node up from its Node object, and pods reach
 * each other through the tunnel.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VxlanRoutesIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final TestNamespaces namespaces = new TestNamespaces();
  private static Path dir;
  private static KubernetesClient client;
  private static HostCommands router;
  private static HostCommands nodeA;
  private static HostCommands podA;
  private static String podBIp;
  private static PodNetwork networkA;
  private static PodNetwork networkB;

  @BeforeAll
  static void buildTheNetwork() throws Exception {
    dir = Files.createTempDirectory("skiff-vxlan-");
    client = cluster.client();
    router = namespaces.create("rt");
    nodeA = namespaces.create("va");
    HostCommands nodeB = namespaces.create("vb");
    podA = namespaces.create("vpa");
    namespaces.create("vpb");
    Forwarding.enable(router);
    wire("va", nodeA, "192.168.10");
    wire("vb", nodeB, "192.168.20");
    createNode("node-a", "10.42.1.0/24", "192.168.10.2");
    createNode("node-b", "10.42.2.0/24", "192.168.20.2");

    networkA = PodNetwork.start(cluster.newClient(), options("node-a", nodeA));
    networkB = PodNetwork.start(cluster.newClient(), options("node-b", nodeB));
    addPod(nodeA, networkA, "vpa");
    podBIp = addPod(nodeB, networkB, "vpb");
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      for (PodNetwork network : new PodNetwork[] {networkA, networkB}) {
        if (network != null) {
          network.close();
        }
      }
    } finally {
      namespaces.close();
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
  }

  private static PodNetworkOptions options(String nodeName, HostCommands node) {
    return PodNetworkOptions.defaults(nodeName, dir.resolve(nodeName))
        .withBackend(PodNetworkOptions.Backend.VXLAN)
        .withCommands(node);
  }

  /** A /24 between the router and the node, the node's default route pointing at the router. */
  private static void wire(String role, HostCommands node, String subnet) {
    router.run(
        "ip",
        "link",
        "add",
        role + "-rt",
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        namespaces.name(role));
    router.run("ip", "addr", "add", subnet + ".1/24", "dev", role + "-rt");
    router.run("ip", "link", "set", role + "-rt", "up");
    node.run("ip", "addr", "add", subnet + ".2/24", "dev", "eth0");
    node.run("ip", "link", "set", "eth0", "up");
    node.run("ip", "route", "add", "default", "via", subnet + ".1");
  }

  private static void createNode(String name, String podCidr, String internalIp) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withPodCIDR(podCidr)
                .withPodCIDRs(podCidr)
                .endSpec()
                .build())
        .create();
    client
        .nodes()
        .withName(name)
        .editStatus(
            n ->
                new NodeBuilder(n)
                    .withNewStatus()
                    .addNewAddress()
                    .withType("InternalIP")
                    .withAddress(internalIp)
                    .endAddress()
                    .endStatus()
                    .build());
  }

  private static String addPod(HostCommands node, PodNetwork network, String podRole)
      throws Exception {
    var result =
        new CniChain(node, network.cniConfig(), Path.of("/usr/lib/cni"))
            .add(podRole, "/run/netns/" + namespaces.name(podRole), List.of());
    String address = result.path("ips").get(0).path("address").asString();
    return address.substring(0, address.indexOf('/'));
  }

  @Test
  @Order(1)
  void eachNodeHasAVtepAndRoutesTheOtherPodCidrThroughIt() {
    assertThat(networkA.podCidr()).isEqualTo("10.42.1.0/24");
    assertThat(nodeA.run("ip", "-d", "link", "show", VxlanRoutes.DEVICE))
        .contains("vxlan id 1 local 192.168.10.2 ")
        .contains("dstport 8472")
        .contains("link/ether " + VxlanRoutes.vtepMac("192.168.10.2"));
    assertThat(nodeA.run("ip", "-4", "addr", "show", VxlanRoutes.DEVICE)).contains("10.42.1.0/32");
    assertThat(nodeA.run("ip", "route", "show", "10.42.2.0/24"))
        .contains("via 10.42.2.0 dev skiff.vxlan");
    assertThat(nodeA.run("bridge", "fdb", "show", "dev", VxlanRoutes.DEVICE))
        .contains(VxlanRoutes.vtepMac("192.168.20.2") + " dst 192.168.20.2");
    assertThat(podA.run("ip", "link", "show", "eth0")).contains("mtu 1450");
  }

  @Test
  @Order(2)
  void podsOnNodesBehindARouterReachEachOther() {
    // the router only knows the nodes' subnets: a reply can only come back through the tunnel
    assertThat(router.run("ip", "route")).doesNotContain("10.42.");
    assertThat(TestNamespaces.ping(podA, podBIp)).isTrue();
  }

  @Test
  @Order(3)
  void aDeletedNodesTunnelEntriesAreRemoved() {
    client.nodes().withName("node-b").delete();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(nodeA.run("ip", "route", "show", "10.42.2.0/24")).isBlank();
              assertThat(nodeA.run("ip", "neigh", "show", "dev", VxlanRoutes.DEVICE))
                  .doesNotContain("10.42.2.0");
              assertThat(nodeA.run("bridge", "fdb", "show", "dev", VxlanRoutes.DEVICE))
                  .doesNotContain("dst 192.168.20.2");
            });
  }
}
