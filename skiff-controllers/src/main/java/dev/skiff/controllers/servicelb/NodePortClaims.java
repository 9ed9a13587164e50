package dev.skiff.controllers.servicelb;

import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Shares each node's ports among load balancers as k3s' servicelb does with host ports: on one node
 * a port and protocol belongs to one LoadBalancer service. Services are served in order — the ones
 * already holding an ingress first (they keep it), then the oldest — and each gets the serving
 * nodes where none of its ports is taken yet. A service that finds its ports taken everywhere gets
 * no node: its status stays empty (Pending) until the holder goes away.
 */
final class NodePortClaims {
  /**
   * Where a service is served.
   *
   * @param nodes the nodes it has, sorted by name
   * @param conflicts for each node it lost, "port/protocol held by namespace/name"
   */
  record Placement(List<Node> nodes, List<String> conflicts) {
    Placement {
      nodes = List.copyOf(nodes);
      conflicts = List.copyOf(conflicts);
    }
  }

  private NodePortClaims() {}

  /** The placement of every service, by key. */
  static Map<ObjectKey, Placement> place(Collection<Service> services, List<Node> serving) {
    List<Service> ordered =
        services.stream()
            .sorted(
                Comparator.comparing((Service s) -> !hasIngress(s))
                    .thenComparing(
                        s -> Objects.requireNonNullElse(s.getMetadata().getCreationTimestamp(), ""))
                    .thenComparing(s -> ObjectKey.of(s)))
            .toList();
    Map<String, Map<String, ObjectKey>> holders = new HashMap<>();
    Map<ObjectKey, Placement> placements = new LinkedHashMap<>();
    for (Service service : ordered) {
      ObjectKey key = ObjectKey.of(service);
      Set<String> ports = ports(service);
      List<Node> nodes = new ArrayList<>();
      Set<String> conflicts = new LinkedHashSet<>();
      for (Node node : serving) {
        Map<String, ObjectKey> taken =
            holders.computeIfAbsent(node.getMetadata().getName(), n -> new HashMap<>());
        List<String> clashes =
            ports.stream()
                .filter(taken::containsKey)
                .map(p -> p + " held by " + taken.get(p).namespace() + "/" + taken.get(p).name())
                .toList();
        if (clashes.isEmpty()) {
          nodes.add(node);
          ports.forEach(p -> taken.put(p, key));
        } else {
          conflicts.addAll(clashes);
        }
      }
      placements.put(key, new Placement(nodes, new ArrayList<>(conflicts)));
    }
    return placements;
  }

  /** "port/PROTOCOL" of each port. */
  static Set<String> ports(Service service) {
    Set<String> ports = new LinkedHashSet<>();
    if (service.getSpec() != null && service.getSpec().getPorts() != null) {
      for (ServicePort port : service.getSpec().getPorts()) {
        ports.add(port.getPort() + "/" + Objects.requireNonNullElse(port.getProtocol(), "TCP"));
      }
    }
    return ports;
  }

  static boolean hasIngress(Service service) {
    return service.getStatus() != null
        && service.getStatus().getLoadBalancer() != null
        && service.getStatus().getLoadBalancer().getIngress() != null
        && !service.getStatus().getLoadBalancer().getIngress().isEmpty();
  }
}
