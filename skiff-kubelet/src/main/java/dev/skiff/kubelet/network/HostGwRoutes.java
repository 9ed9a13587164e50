package dev.skiff.kubelet.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host-gw backend (flannel's name): for every other node with a podCIDR and an InternalIP, a
 * route {@code <podCIDR> via <nodeIP>} in this node's namespace, kept in sync with the Node objects
 * through an informer. Routes carry their own protocol number ({@value #ROUTE_PROTOCOL}) so that
 * routes left behind by nodes deleted while this agent was down are found and removed at start.
 * Every node must reach the others' InternalIPs directly (one L2 segment).
 *
 * <p>Routes are left in place on {@link #close()}: pod traffic keeps flowing while the agent
 * restarts.
 */
public final class HostGwRoutes implements AutoCloseable {
  /** The rtnetlink protocol number marking routes this backend owns. */
  public static final int ROUTE_PROTOCOL = 77;

  private static final Logger log = LoggerFactory.getLogger(HostGwRoutes.class);
  private static final long RESYNC_MILLIS = 30_000;

  private final KubernetesClient client;
  private final String nodeName;
  private final HostCommands commands;
  private final ExecutorService reconciler =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("host-gw-routes").factory());
  private SharedIndexInformer<Node> informer;
  private Map<String, String> installed; // podCIDR -> gateway; null until read from the kernel

  public HostGwRoutes(KubernetesClient client, String nodeName, HostCommands commands) {
    this.client = client;
    this.nodeName = nodeName;
    this.commands = commands;
  }

  /** Starts watching Nodes; returns once the first listing is applied. */
  public HostGwRoutes start() {
    ResourceEventHandler<Node> handler =
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Node node) {
            requestSync();
          }

          @Override
          public void onUpdate(Node oldNode, Node newNode) {
            requestSync();
          }

          @Override
          public void onDelete(Node node, boolean deletedFinalStateUnknown) {
            requestSync();
          }
        };
    informer = client.nodes().runnableInformer(RESYNC_MILLIS);
    informer.addEventHandler(handler);
    try {
      informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      reconciler.submit(this::sync).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("host-gw routes: first sync failed", e);
    }
    return this;
  }

  /** The routes this backend believes are installed (podCIDR to gateway), for tests and logs. */
  public Map<String, String> routes() {
    try {
      return reconciler
          .submit(() -> installed == null ? Map.<String, String>of() : Map.copyOf(installed))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(e);
    }
  }

  private void requestSync() {
    if (!reconciler.isShutdown()) {
      reconciler.execute(this::sync);
    }
  }

  /** Runs on the single reconciler thread only. */
  private void sync() {
    if (installed == null) {
      installed = readInstalled();
    }
    Map<String, String> desired = desiredRoutes(informer.getStore().list(), nodeName);
    for (var route : desired.entrySet()) {
      if (route.getValue().equals(installed.get(route.getKey()))) {
        continue;
      }
      try {
        commands.run(
            "ip",
            "route",
            "replace",
            route.getKey(),
            "via",
            route.getValue(),
            "proto",
            Integer.toString(ROUTE_PROTOCOL));
        installed.put(route.getKey(), route.getValue());
        log.info(
            "event=route_added backend=host-gw podCIDR={} via={}",
            route.getKey(),
            route.getValue());
      } catch (HostCommandException e) {
        // typically "Nexthop has invalid gateway": the node is not on this L2 segment
        log.warn(
            "event=route_failed backend=host-gw podCIDR={} via={} error=\"{}\"",
            route.getKey(),
            route.getValue(),
            e.getMessage());
      }
    }
    for (String cidr : new ArrayList<>(installed.keySet())) {
      if (desired.containsKey(cidr)) {
        continue;
      }
      var result =
          commands.execute(
              List.of("ip", "route", "del", cidr, "proto", Integer.toString(ROUTE_PROTOCOL)),
              null,
              Map.of());
      if (result.exitCode() == 0 || result.stderr().contains("No such process")) {
        installed.remove(cidr);
        log.info("event=route_removed backend=host-gw podCIDR={}", cidr);
      } else {
        log.warn(
            "event=route_remove_failed backend=host-gw podCIDR={} error=\"{}\"",
            cidr,
            result.stderr().strip());
      }
    }
  }

  private Map<String, String> readInstalled() {
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

  /**
   * The routes this node needs: every other node's IPv4 podCIDRs via its first IPv4 InternalIP.
   * Nodes without either are skipped until they have both.
   */
  static Map<String, String> desiredRoutes(Collection<Node> nodes, String self) {
    Map<String, String> routes = new TreeMap<>();
    for (Node node : nodes) {
      if (node.getMetadata() == null || Objects.equals(node.getMetadata().getName(), self)) {
        continue;
      }
      String gateway = internalIpv4(node);
      if (gateway == null) {
        continue;
      }
      for (String cidr : podCidrs(node)) {
        routes.put(Cidr.parse(cidr).toString(), gateway);
      }
    }
    return routes;
  }

  private static Set<String> podCidrs(Node node) {
    Set<String> cidrs = new LinkedHashSet<>();
    if (node.getSpec() == null) {
      return cidrs;
    }
    if (node.getSpec().getPodCIDR() != null) {
      cidrs.add(node.getSpec().getPodCIDR());
    }
    if (node.getSpec().getPodCIDRs() != null) {
      cidrs.addAll(node.getSpec().getPodCIDRs());
    }
    cidrs.removeIf(
        c -> {
          try {
            Cidr.parse(c);
            return false;
          } catch (IllegalArgumentException e) {
            return true; // IPv6 ranges are not routed yet
          }
        });
    return cidrs;
  }

  private static String internalIpv4(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return null;
    }
    for (NodeAddress address : node.getStatus().getAddresses()) {
      if ("InternalIP".equals(address.getType()) && Cidr.isIpv4(address.getAddress())) {
        return address.getAddress();
      }
    }
    return null;
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    reconciler.shutdown();
    try {
      reconciler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
