package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes, each in its own namespace, joined by a bridge in a third ("lan") namespace, with one
 * pod namespace each wired through the written CNI configuration. Routes follow the Node objects in
 * an in-process API server; pods reach each other across nodes; traffic leaving the cluster CIDR is
 * masqueraded.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostGwRoutesIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final String CLUSTER_CIDR = "10.42.0.0/16";
  private static final TestNamespaces namespaces = new TestNamespaces();
  private static Path dir;
  private static KubernetesClient client;
  private static HostCommands lan;
  private static HostCommands nodeA;
  private static HostCommands nodeB;
  private static HostCommands podA;
  private static String podAIp;
  private static String podBIp;
  private static HostGwRoutes routesA;
  private static HostGwRoutes routesB;

  @BeforeAll
  static void buildTheNetwork() throws Exception {
    dir = Files.createTempDirectory("skiff-hostgw-");
    client = cluster.client();
    lan = namespaces.create("lan");
    nodeA = namespaces.create("na");
    nodeB = namespaces.create("nb");
    podA = namespaces.create("pa");
    HostCommands podB = namespaces.create("pb");
    lan.run("ip", "link", "add", "br0", "type", "bridge");
    lan.run("ip", "addr", "add", "192.168.77.1/24", "dev", "br0");
    lan.run("ip", "link", "set", "br0", "up");
    attach("na", nodeA, "192.168.77.2/24");
    attach("nb", nodeB, "192.168.77.3/24");

    createNode("node-a", "10.42.1.0/24", "192.168.77.2");
    createNode("node-b", "10.42.2.0/24", "192.168.77.3");

    podAIp = addPod(nodeA, "na", "pa", "10.42.1.0/24");
    podBIp = addPod(nodeB, "nb", "pb", "10.42.2.0/24");
    // a route left behind by a node deleted while the agent was down
    nodeA.run(
        "ip",
        "route",
        "add",
        "10.42.9.0/24",
        "via",
        "192.168.77.9",
        "proto",
        Integer.toString(HostGwRoutes.ROUTE_PROTOCOL));
    routesA = new HostGwRoutes(cluster.newClient(), "node-a", nodeA).start();
    routesB = new HostGwRoutes(cluster.newClient(), "node-b", nodeB).start();
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      for (HostGwRoutes routes : new HostGwRoutes[] {routesA, routesB}) {
        if (routes != null) {
          routes.close();
        }
      }
    } finally {
      namespaces.close();
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
  }

  private static void attach(String role, HostCommands node, String address) {
    // both ends are created from inside the namespaces; nothing touches the host's links
    lan.run(
        "ip",
        "link",
        "add",
        role + "-lan",
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        namespaces.name(role));
    lan.run("ip", "link", "set", role + "-lan", "master", "br0", "up");
    node.run("ip", "addr", "add", address, "dev", "eth0");
    node.run("ip", "link", "set", "eth0", "up");
    Forwarding.enable(node);
  }

  private static void createNode(String name, String podCidr, String internalIp) {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withPodCIDR(podCidr)
            .withPodCIDRs(podCidr)
            .endSpec()
            .build();
    client.nodes().resource(node).create();
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
                    .addNewAddress()
                    .withType("Hostname")
                    .withAddress(name)
                    .endAddress()
                    .endStatus()
                    .build());
  }

  private static String addPod(HostCommands node, String nodeRole, String podRole, String podCidr)
      throws Exception {
    Path conflist =
        CniConfig.write(dir.resolve(nodeRole + "/net.d"), podCidr, dir.resolve(nodeRole + "/ipam"));
    var result =
        new CniChain(node, conflist, Path.of("/usr/lib/cni"))
            .add(podRole, "/run/netns/" + namespaces.name(podRole), List.of());
    String address = result.path("ips").get(0).path("address").asString();
    return address.substring(0, address.indexOf('/'));
  }

  @Test
  @Order(1)
  void eachNodeRoutesTheOthersPodCidrViaItsInternalIp() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(nodeA.run("ip", "route", "show", "10.42.2.0/24"))
                  .contains("via 192.168.77.3")
                  .contains("proto " + HostGwRoutes.ROUTE_PROTOCOL);
              assertThat(nodeB.run("ip", "route", "show", "10.42.1.0/24"))
                  .contains("via 192.168.77.2");
            });
    assertThat(nodeA.run("ip", "route", "show", "10.42.1.0/24")).doesNotContain("via");
    assertThat(routesA.routes()).containsExactly(Map.entry("10.42.2.0/24", "192.168.77.3"));
  }

  @Test
  @Order(2)
  void staleRoutesOfThisBackendAreRemovedAtStart() {
    assertThat(nodeA.run("ip", "route", "show", "10.42.9.0/24")).isBlank();
  }

  @Test
  @Order(3)
  void aPodOnOneNodeReachesAPodOnTheOther() {
    assertThat(TestNamespaces.ping(podA, podBIp)).isTrue();
    assertThat(TestNamespaces.ping(namespaces.commands("pb"), podAIp)).isTrue();
  }

  @Test
  @Order(4)
  void trafficLeavingTheClusterCidrIsMasqueraded() {
    // the lan namespace has no route back to 10.42.0.0/16: replies only come back when masqueraded
    assertThat(TestNamespaces.ping(podA, "192.168.77.1")).isFalse();

    Masquerade masquerade = new Masquerade(nodeA, CLUSTER_CIDR);
    masquerade.apply();
    masquerade.apply(); // applying twice leaves one set of rules

    assertThat(TestNamespaces.ping(podA, "192.168.77.1")).isTrue();
    String nat = nodeA.run("iptables-save", "-t", "nat");
    assertThat(nat.lines().filter(l -> l.equals("-A POSTROUTING -j SKIFF-POSTROUTING"))).hasSize(1);
    assertThat(nat.lines().filter(l -> l.contains("-j MASQUERADE"))).hasSize(1);
    // pod-to-pod traffic keeps its source address
    assertThat(TestNamespaces.ping(podA, podBIp)).isTrue();

    masquerade.remove();
    assertThat(nodeA.run("iptables-save", "-t", "nat")).doesNotContain("SKIFF-POSTROUTING");
    assertThat(nodeA.run("iptables-save", "-t", "filter")).doesNotContain("SKIFF-FORWARD");
  }

  @Test
  @Order(5)
  void aDeletedNodesRouteIsRemoved() {
    client.nodes().withName("node-b").delete();

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> assertThat(nodeA.run("ip", "route", "show", "10.42.2.0/24")).isBlank());
    assertThat(routesA.routes()).isEmpty();
  }
}
