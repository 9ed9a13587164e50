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
 * Keeps this node's routes to the other nodes' pods in sync with the Node objects: an informer on
 * Nodes, and one reconciler thread that compares every other node's podCIDR and InternalIP with
 * what is installed and asks the backend to install or remove the difference. Backends mark their
 * routes with protocol {@value #ROUTE_PROTOCOL} so routes of nodes deleted while the agent was down
 * are found and removed at start. Routes stay on {@link #close()}: pod traffic keeps flowing while
 * the agent restarts.
 */
abstract sealed class NodeRouteSync implements AutoCloseable permits HostGwRoutes, VxlanRoutes {
  /** The rtnetlink protocol number marking routes this agent owns. */
  public static final int ROUTE_PROTOCOL = 77;

  private static final Logger log = LoggerFactory.getLogger(NodeRouteSync.class);
  private static final long RESYNC_MILLIS = 30_000;

  private final KubernetesClient client;
  protected final String nodeName;
  protected final HostCommands commands;
  private final ExecutorService reconciler =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("node-routes").factory());
  private SharedIndexInformer<Node> informer;
  private Map<String, String> installed; // podCIDR -> node IP; null until read from the kernel

  NodeRouteSync(KubernetesClient client, String nodeName, HostCommands commands) {
    this.client = client;
    this.nodeName = nodeName;
    this.commands = commands;
  }

  /** Starts watching Nodes; returns once the first listing is applied. */
  void startSync() {
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
      throw new IllegalStateException(backend() + " routes: first sync failed", e);
    }
  }

  /** The backend's name in logs. */
  abstract String backend();

  /** The routes installed by an earlier run: podCIDR to node IP (null when not known). */
  abstract Map<String, String> readInstalled();

  /** Installs or replaces the route to {@code podCidr} on the node at {@code nodeIp}. */
  abstract void install(String podCidr, String nodeIp);

  /** Removes the route; {@code nodeIp} is null when it was installed by an earlier run. */
  abstract HostCommands.Result remove(String podCidr, String nodeIp);

  /** The routes this node believes are installed (podCIDR to node IP), for tests and logs. */
  public Map<String, String> routes() {
    try {
      return reconciler
          .submit(
              () ->
                  installed == null
                      ? Map.<String, String>of()
                      : java.util.Collections.unmodifiableMap(new HashMap<>(installed)))
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
      installed = new HashMap<>(readInstalled());
    }
    Map<String, String> desired = desiredRoutes(informer.getStore().list(), nodeName);
    for (var route : desired.entrySet()) {
      if (route.getValue().equals(installed.get(route.getKey()))) {
        continue;
      }
      try {
        install(route.getKey(), route.getValue());
        installed.put(route.getKey(), route.getValue());
        log.info(
            "event=route_added backend={} podCIDR={} node={}",
            backend(),
            route.getKey(),
            route.getValue());
      } catch (HostCommandException e) {
        // typically "Nexthop has invalid gateway": the node is not on this L2 segment
        log.warn(
            "event=route_failed backend={} podCIDR={} node={} error=\"{}\"",
            backend(),
            route.getKey(),
            route.getValue(),
            e.getMessage());
      }
    }
    for (String cidr : new ArrayList<>(installed.keySet())) {
      if (desired.containsKey(cidr)) {
        continue;
      }
      var result = remove(cidr, installed.get(cidr));
      if (result.exitCode() == 0 || result.stderr().contains("No such process")) {
        installed.remove(cidr);
        log.info("event=route_removed backend={} podCIDR={}", backend(), cidr);
      } else {
        log.warn(
            "event=route_remove_failed backend={} podCIDR={} error=\"{}\"",
            backend(),
            cidr,
            result.stderr().strip());
      }
    }
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
