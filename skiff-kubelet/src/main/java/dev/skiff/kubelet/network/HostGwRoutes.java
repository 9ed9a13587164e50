package dev.skiff.kubelet.network;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host-gw backend (flannel's name): for every other node with a podCIDR and an InternalIP, a
 * route {@code <podCIDR> via <nodeIP>} in this node's namespace. Every node must reach the others'
 * InternalIPs directly (one L2 segment); otherwise use {@link VxlanRoutes}.
 */
public final class HostGwRoutes extends NodeRouteSync {

  public HostGwRoutes(KubernetesClient client, String nodeName, HostCommands commands) {
    super(client, nodeName, commands);
  }

  /** Starts watching Nodes; returns once the first listing is applied. */
  public HostGwRoutes start() {
    startSync();
    return this;
  }

  @Override
  String backend() {
    return "host-gw";
  }

  @Override
  Map<String, String> readInstalled() {
    Map<String, String> routes = new HashMap<>();
    String table =
        commands.run("ip", "-4", "route", "show", "proto", Integer.toString(ROUTE_PROTOCOL));
    for (String line : table.split("\n")) {
      String[] words = line.trim().split("\\s+");
      for (int i = 0; i + 1 < words.length; i++) {
        if (words[i].equals("via")) {
          routes.put(words[0], words[i + 1]);
        }
      }
    }
    return routes;
  }

  @Override
  void install(String podCidr, String nodeIp) {
    commands.run(
        "ip",
        "route",
        "replace",
        podCidr,
        "via",
        nodeIp,
        "proto",
        Integer.toString(ROUTE_PROTOCOL));
  }

  @Override
  HostCommands.Result remove(String podCidr, String nodeIp) {
    return commands.execute(
        List.of("ip", "route", "del", podCidr, "proto", Integer.toString(ROUTE_PROTOCOL)),
        null,
        Map.of());
  }
}
