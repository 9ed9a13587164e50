package dev.skiff.kubelet.network;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The vxlan backend, for nodes that reach each other only through routers: pod traffic to another
 * node is encapsulated (VNI {@value #VNI}, UDP port {@value #PORT}, flannel's values) on the device
 * {@value #DEVICE}. Each node's VTEP has the address {@code <podCIDR>.0/32} and a MAC derived from
 * its InternalIP, so every node computes the others' VTEPs from the Node objects alone. Per remote
 * node: a permanent neighbour entry (VTEP address to MAC), a forwarding entry (MAC to node IP) and
 * a route {@code <podCIDR> via <VTEP address> onlink}. Pod interfaces need an MTU 50 bytes below
 * the node's ({@link #POD_MTU} on a 1500-byte network).
 */
public final class VxlanRoutes extends NodeRouteSync {
  public static final String DEVICE = "skiff.vxlan";
  public static final int VNI = 1;
  public static final int PORT = 8472;
  public static final int POD_MTU = 1450;

  private final String nodeIp;
  private final Cidr podCidr;

  /**
   * @param nodeIp this node's InternalIP (the tunnel's outer source address)
   * @param podCidr this node's podCIDR
   */
  public VxlanRoutes(
      KubernetesClient client,
      String nodeName,
      HostCommands commands,
      String nodeIp,
      String podCidr) {
    super(client, nodeName, commands);
    this.nodeIp = nodeIp;
    this.podCidr = Cidr.parse(podCidr);
  }

  /** Creates the VXLAN device, starts watching Nodes, returns once the first listing is applied. */
  public VxlanRoutes start() {
    String mac = vtepMac(nodeIp);
    var existing = commands.execute(List.of("ip", "-d", "link", "show", DEVICE), null, Map.of());
    boolean current =
        existing.exitCode() == 0
            && existing.stdout().contains("vxlan id " + VNI + " local " + nodeIp + " ")
            && existing.stdout().contains("link/ether " + mac + " ");
    if (!current) {
      if (existing.exitCode() == 0) {
        commands.run("ip", "link", "del", DEVICE);
      }
      commands.run(
          "ip",
          "link",
          "add",
          DEVICE,
          "address",
          mac,
          "type",
          "vxlan",
          "id",
          Integer.toString(VNI),
          "local",
          nodeIp,
          "dstport",
          Integer.toString(PORT),
          "nolearning");
    }
    commands.run("ip", "link", "set", DEVICE, "mtu", Integer.toString(POD_MTU), "up");
    commands.run("ip", "addr", "replace", podCidr.address(0) + "/32", "dev", DEVICE);
    startSync();
    return this;
  }

  /** The VTEP MAC of the node with this IPv4 address: locally administered, 0e:5c:<IP bytes>. */
  static String vtepMac(String nodeIp) {
    String[] octets = nodeIp.split("\\.");
    StringBuilder mac = new StringBuilder("0e:5c");
    for (String octet : octets) {
      mac.append(':').append(String.format("%02x", Integer.parseInt(octet)));
    }
    return mac.toString();
  }

  @Override
  String backend() {
    return "vxlan";
  }

  @Override
  Map<String, String> readInstalled() {
    Map<String, String> routes = new HashMap<>();
    String table =
        commands.run(
            "ip", "-4", "route", "show", "proto", Integer.toString(ROUTE_PROTOCOL), "dev", DEVICE);
    for (String line : table.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (!words[0].isEmpty()) {
        routes.put(words[0], null); // the node IP is in the fdb, not the route
      }
    }
    return routes;
  }

  @Override
  void install(String remotePodCidr, String remoteNodeIp) {
    String vtep = Cidr.parse(remotePodCidr).address(0);
    String mac = vtepMac(remoteNodeIp);
    commands.run("ip", "neigh", "replace", vtep, "lladdr", mac, "dev", DEVICE, "nud", "permanent");
    commands.run(
        "bridge", "fdb", "replace", mac, "dev", DEVICE, "dst", remoteNodeIp, "self", "permanent");
    commands.run(
        "ip",
        "route",
        "replace",
        remotePodCidr,
        "via",
        vtep,
        "dev",
        DEVICE,
        "onlink",
        "proto",
        Integer.toString(ROUTE_PROTOCOL));
  }

  @Override
  HostCommands.Result remove(String remotePodCidr, String remoteNodeIp) {
    var result =
        commands.execute(
            List.of("ip", "route", "del", remotePodCidr, "proto", Integer.toString(ROUTE_PROTOCOL)),
            null,
            Map.of());
    String vtep = Cidr.parse(remotePodCidr).address(0);
    commands.execute(List.of("ip", "neigh", "del", vtep, "dev", DEVICE), null, Map.of());
    if (remoteNodeIp != null) {
      commands.execute(
          List.of("bridge", "fdb", "del", vtepMac(remoteNodeIp), "dev", DEVICE, "self"),
          null,
          Map.of());
    }
    return result;
  }
}
