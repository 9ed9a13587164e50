package dev.skiff.controllers.servicelb;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which nodes a local load balancer may use, and the addresses it advertises for them, as k3s'
 * servicelb chooses: Ready, schedulable nodes; when any node carries the {@link #ENABLE_LB_LABEL}
 * label, only the nodes where it is "true"; ExternalIPs when any of the chosen nodes has one, else
 * InternalIPs.
 */
public final class LoadBalancerNodes {
  /** k3s' node label: once any node has it, only nodes labelled "true" serve load balancers. */
  public static final String ENABLE_LB_LABEL = "svccontroller.k3s.cattle.io/enablelb";

  /** Kubernetes' label that keeps a node out of every external load balancer. */
  public static final String EXCLUDE_LABEL =
      "node.kubernetes.io/exclude-from-external-load-balancers";

  private LoadBalancerNodes() {}

  /** The nodes that may serve load balancers, sorted by name. */
  public static List<Node> serving(Collection<Node> all) {
    boolean labelled = all.stream().anyMatch(n -> labels(n).containsKey(ENABLE_LB_LABEL));
    return all.stream()
        .filter(LoadBalancerNodes::ready)
        .filter(n -> n.getSpec() == null || !Boolean.TRUE.equals(n.getSpec().getUnschedulable()))
        .filter(n -> !labels(n).containsKey(EXCLUDE_LABEL))
        .filter(n -> !labelled || "true".equals(labels(n).get(ENABLE_LB_LABEL)))
        .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
        .toList();
  }

  /**
   * The ingress addresses for these nodes and this service's IP families: every ExternalIP when one
   * of the nodes has any, else every InternalIP; sorted within each family, families in the
   * service's order (IPv4 when it names none).
   */
  public static List<String> addresses(List<Node> nodes, Service service) {
    TreeSet<String> external = new TreeSet<>();
    TreeSet<String> internal = new TreeSet<>();
    for (Node node : nodes) {
      if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
        continue;
      }
      for (NodeAddress address : node.getStatus().getAddresses()) {
        if (address.getAddress() == null || address.getAddress().isEmpty()) {
          continue;
        }
        if ("ExternalIP".equals(address.getType())) {
          external.add(address.getAddress());
        } else if ("InternalIP".equals(address.getType())) {
          internal.add(address.getAddress());
        }
      }
    }
    TreeSet<String> chosen = external.isEmpty() ? internal : external;
    List<String> families =
        service.getSpec() == null
                || service.getSpec().getIpFamilies() == null
                || service.getSpec().getIpFamilies().isEmpty()
            ? List.of("IPv4")
            : service.getSpec().getIpFamilies();
    List<String> out = new ArrayList<>();
    for (String family : families) {
      boolean v6 = "IPv6".equals(family);
      chosen.stream().filter(ip -> ip.contains(":") == v6).forEach(out::add);
    }
    return out;
  }

  static boolean ready(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return false;
    }
    for (NodeCondition condition : node.getStatus().getConditions()) {
      if ("Ready".equals(condition.getType())) {
        return "True".equals(condition.getStatus());
      }
    }
    return false;
  }

  /**
   * What of a node decides whether and how it serves load balancers: readiness, schedulability, the
   * two labels and the addresses. Node heartbeats change none of it.
   */
  static List<Object> fingerprint(Node node) {
    Map<String, String> labels = labels(node);
    return List.of(
        ready(node),
        node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable()),
        Objects.requireNonNullElse(labels.get(ENABLE_LB_LABEL), "<none>"),
        labels.containsKey(EXCLUDE_LABEL),
        node.getStatus() == null || node.getStatus().getAddresses() == null
            ? List.of()
            : node.getStatus().getAddresses().stream()
                .map(a -> a.getType() + "=" + a.getAddress())
                .toList());
  }

  private static Map<String, String> labels(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }
}
