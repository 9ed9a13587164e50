package dev.skiff.proxy.netpol;

import dev.skiff.api.selector.LabelSelector;
import dev.skiff.proxy.netpol.CompiledPolicies.Allow;
import dev.skiff.proxy.netpol.CompiledPolicies.Peer;
import dev.skiff.proxy.netpol.CompiledPolicies.PodChain;
import dev.skiff.proxy.netpol.CompiledPolicies.PolicyChain;
import dev.skiff.proxy.netpol.CompiledPolicies.PolicyRef;
import dev.skiff.proxy.netpol.CompiledPolicies.PortMatch;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles NetworkPolicies (networking.k8s.io/v1) for the pods of one node, with Kubernetes'
 * semantics: a pod selected by a policy whose policyTypes include a direction is isolated for it,
 * and then only traffic some rule of some selecting policy allows passes. policyTypes default to
 * Ingress, plus Egress when the policy has egress rules. A rule's peers and ports combine as "any
 * peer and any port"; missing peers or ports mean all. Peers are pods by podSelector (in the
 * policy's namespace), by namespaceSelector, both (pods of those namespaces), or ipBlock minus its
 * excepts. Named ports resolve on the pod that owns the port: the selected pod for ingress, the
 * destination pod for egress (so a named egress port only reaches pods).
 *
 * <p>Pods count with their IPv4 status.podIPs once they have one and while they are not finished
 * (Succeeded or Failed); host-network pods are neither selected nor peers, as their address is the
 * node's.
 */
public final class NetworkPolicyCompiler {
  private static final Logger log = LoggerFactory.getLogger(NetworkPolicyCompiler.class);
  private static final Comparator<Pod> BY_KEY =
      Comparator.comparing((Pod p) -> p.getMetadata().getNamespace())
          .thenComparing(p -> p.getMetadata().getName());

  private final String nodeName;

  /** {@code nodeName}: policies are enforced for the pods scheduled to this node. */
  public NetworkPolicyCompiler(String nodeName) {
    this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
  }

  public CompiledPolicies compile(
      Collection<Pod> pods, Collection<Namespace> namespaces, Collection<NetworkPolicy> policies) {
    Map<String, Map<String, String>> namespaceLabels = new LinkedHashMap<>();
    for (Namespace ns : namespaces) {
      namespaceLabels.put(ns.getMetadata().getName(), labels(ns.getMetadata().getLabels()));
    }
    List<Pod> networked =
        pods.stream().filter(p -> !ipv4Addresses(p).isEmpty()).sorted(BY_KEY).toList();
    List<Pod> local =
        networked.stream().filter(p -> nodeName.equals(p.getSpec().getNodeName())).toList();
    Map<String, List<PolicyRef>> podPolicies = new LinkedHashMap<>();
    List<PolicyChain> policyChains = new ArrayList<>();
    List<NetworkPolicy> sorted =
        policies.stream()
            .sorted(
                Comparator.comparing((NetworkPolicy p) -> p.getMetadata().getNamespace())
                    .thenComparing(p -> p.getMetadata().getName()))
            .toList();
    Context context = new Context(networked, namespaceLabels);
    for (NetworkPolicy policy : sorted) {
      NetworkPolicySpec spec =
          policy.getSpec() == null ? new NetworkPolicySpec() : policy.getSpec();
      String namespace = policy.getMetadata().getNamespace();
      LabelSelector selector;
      try {
        // podSelector is required; an absent one decodes as the empty selector (every pod)
        selector =
            spec.getPodSelector() == null
                ? LabelSelector.everything()
                : LabelSelector.fromModel(spec.getPodSelector());
      } catch (IllegalArgumentException e) {
        log.warn(
            "network policy skipped policy={}/{} error=\"{}\"",
            namespace,
            policy.getMetadata().getName(),
            e.getMessage());
        continue;
      }
      List<Pod> targets =
          local.stream()
              .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
              .filter(p -> selector.matches(labels(p.getMetadata().getLabels())))
              .toList();
      if (targets.isEmpty()) {
        continue;
      }
      for (Direction direction : policyTypes(spec)) {
        List<Allow> allows;
        try {
          allows =
              direction == Direction.INGRESS
                  ? ingressAllows(context, namespace, spec, targets)
                  : egressAllows(context, namespace, spec);
        } catch (IllegalArgumentException e) {
          // a selector or CIDR the API server should have refused: allow nothing, stay isolated
          log.warn(
              "network policy rules ignored policy={}/{} error=\"{}\"",
              namespace,
              policy.getMetadata().getName(),
              e.getMessage());
          allows = List.of();
        }
        String name = policy.getMetadata().getName();
        policyChains.add(new PolicyChain(direction, namespace, name, allows));
        for (Pod target : targets) {
          podPolicies
              .computeIfAbsent(podKey(direction, target), k -> new ArrayList<>())
              .add(new PolicyRef(namespace, name));
        }
      }
    }
    List<PodChain> podChains = new ArrayList<>();
    for (Direction direction : Direction.values()) {
      for (Pod pod : local) {
        List<PolicyRef> selecting = podPolicies.get(podKey(direction, pod));
        if (selecting != null) {
          podChains.add(
              new PodChain(
                  direction,
                  pod.getMetadata().getNamespace(),
                  pod.getMetadata().getName(),
                  ipv4Addresses(pod),
                  selecting));
        }
      }
    }
    return new CompiledPolicies(podChains, policyChains);
  }

  private static String podKey(Direction direction, Pod pod) {
    return direction + " " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** Ingress always; Egress when listed, or when egress rules exist and policyTypes is empty. */
  static List<Direction> policyTypes(NetworkPolicySpec spec) {
    List<String> types = spec.getPolicyTypes();
    if (types == null || types.isEmpty()) {
      boolean egress = spec.getEgress() != null && !spec.getEgress().isEmpty();
      return egress ? List.of(Direction.INGRESS, Direction.EGRESS) : List.of(Direction.INGRESS);
    }
    List<Direction> directions = new ArrayList<>();
    if (types.contains("Ingress")) {
      directions.add(Direction.INGRESS);
    }
    if (types.contains("Egress")) {
      directions.add(Direction.EGRESS);
    }
    return directions;
  }

  private static List<Allow> ingressAllows(
      Context context, String namespace, NetworkPolicySpec spec, List<Pod> targets) {
    Set<Allow> allows = new LinkedHashSet<>();
    for (var rule : nullToEmpty(spec.getIngress())) {
      List<ResolvedPeer> peers = context.peers(namespace, rule.getFrom());
      List<NetworkPolicyPort> ports = nullToEmpty(rule.getPorts());
      for (ResolvedPeer peer : peers) {
        if (ports.isEmpty()) {
          allows.add(new Allow(peer.peer(), null, null));
          continue;
        }
        for (NetworkPolicyPort port : ports) {
          if (isNamed(port)) {
            for (Pod target : targets) {
              PortMatch resolved = resolveNamed(port, target);
              if (resolved != null) {
                for (String ip : ipv4Addresses(target)) {
                  allows.add(new Allow(peer.peer(), ip, resolved));
                }
              }
            }
          } else {
            allows.add(new Allow(peer.peer(), null, numeric(port)));
          }
        }
      }
    }
    return List.copyOf(allows);
  }

  private static List<Allow> egressAllows(
      Context context, String namespace, NetworkPolicySpec spec) {
    Set<Allow> allows = new LinkedHashSet<>();
    for (var rule : nullToEmpty(spec.getEgress())) {
      List<ResolvedPeer> peers = context.peers(namespace, rule.getTo());
      List<NetworkPolicyPort> ports = nullToEmpty(rule.getPorts());
      for (ResolvedPeer peer : peers) {
        if (ports.isEmpty()) {
          allows.add(new Allow(peer.peer(), null, null));
          continue;
        }
        for (NetworkPolicyPort port : ports) {
          if (!isNamed(port)) {
            allows.add(new Allow(peer.peer(), null, numeric(port)));
            continue;
          }
          // a named port is the destination pod's: expand the peer to the pods it covers
          for (Pod pod : peer.pod() != null ? List.of(peer.pod()) : context.podsIn(peer.peer())) {
            PortMatch resolved = resolveNamed(port, pod);
            if (resolved != null) {
              for (String ip : ipv4Addresses(pod)) {
                allows.add(new Allow(Peer.of(ip + "/32"), null, resolved));
              }
            }
          }
        }
      }
    }
    return List.copyOf(allows);
  }

  private static boolean isNamed(NetworkPolicyPort port) {
    IntOrString value = port.getPort();
    return value != null && value.getStrVal() != null && value.getIntVal() == null;
  }

  private static String protocol(String protocol) {
    return (protocol == null || protocol.isEmpty() ? "TCP" : protocol).toLowerCase(Locale.ROOT);
  }

  private static PortMatch numeric(NetworkPolicyPort port) {
    String proto = protocol(port.getProtocol());
    IntOrString value = port.getPort();
    if (value == null) {
      return new PortMatch(proto, 0, 0);
    }
    int number = value.getIntVal();
    int end = port.getEndPort() == null || port.getEndPort() <= number ? 0 : port.getEndPort();
    return new PortMatch(proto, number, end);
  }

  /** The named port on {@code pod}'s containers with the same protocol, or null. */
  private static PortMatch resolveNamed(NetworkPolicyPort port, Pod pod) {
    String proto = protocol(port.getProtocol());
    String name = port.getPort().getStrVal();
    for (Container container : nullToEmpty(pod.getSpec().getContainers())) {
      for (ContainerPort cp : nullToEmpty(container.getPorts())) {
        if (name.equals(cp.getName())
            && proto.equals(protocol(cp.getProtocol()))
            && cp.getContainerPort() != null) {
          return new PortMatch(proto, cp.getContainerPort(), 0);
        }
      }
    }
    return null;
  }

  /** The pod's IPv4 addresses, or none when it should not count (see the class comment). */
  static List<String> ipv4Addresses(Pod pod) {
    if (pod.getSpec() == null
        || Boolean.TRUE.equals(pod.getSpec().getHostNetwork())
        || pod.getStatus() == null) {
      return List.of();
    }
    String phase = pod.getStatus().getPhase();
    if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
      return List.of();
    }
    Set<String> ips = new LinkedHashSet<>();
    for (PodIP podIp : nullToEmpty(pod.getStatus().getPodIPs())) {
      if (Cidrs.isIpv4(podIp.getIp())) {
        ips.add(podIp.getIp());
      }
    }
    if (ips.isEmpty() && Cidrs.isIpv4(pod.getStatus().getPodIP())) {
      ips.add(pod.getStatus().getPodIP());
    }
    return List.copyOf(ips);
  }

  private static Map<String, String> labels(Map<String, String> labels) {
    return labels == null ? Map.of() : labels;
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** A peer with the pod it stands for (null for an ipBlock or "any"). */
  private record ResolvedPeer(Peer peer, Pod pod) {}

  /** The cluster's pods and namespace labels, for resolving peers. */
  private record Context(List<Pod> pods, Map<String, Map<String, String>> namespaceLabels) {

    /** The peers of a rule's from/to list; an empty or missing list is every address. */
    List<ResolvedPeer> peers(String policyNamespace, List<NetworkPolicyPeer> list) {
      if (list == null || list.isEmpty()) {
        return List.of(new ResolvedPeer(null, null));
      }
      List<ResolvedPeer> peers = new ArrayList<>();
      Set<String> seen = new LinkedHashSet<>();
      for (NetworkPolicyPeer peer : list) {
        IPBlock block = peer.getIpBlock();
        if (block != null) {
          if (Cidrs.isIpv4(block.getCidr())) {
            Cidrs.Block parsed = Cidrs.parse(block.getCidr());
            List<String> except =
                nullToEmpty(block.getExcept()).stream()
                    .filter(Cidrs::isIpv4)
                    .map(e -> Cidrs.parse(e).toString())
                    .sorted()
                    .toList();
            peers.add(new ResolvedPeer(new Peer(parsed.toString(), except), null));
          }
          continue;
        }
        if (peer.getPodSelector() == null && peer.getNamespaceSelector() == null) {
          continue;
        }
        LabelSelector podSelector =
            peer.getPodSelector() == null
                ? LabelSelector.everything()
                : LabelSelector.fromModel(peer.getPodSelector());
        LabelSelector nsSelector =
            peer.getNamespaceSelector() == null
                ? null
                : LabelSelector.fromModel(peer.getNamespaceSelector());
        for (Pod pod : pods) {
          String ns = pod.getMetadata().getNamespace();
          boolean inNamespace =
              nsSelector == null
                  ? ns.equals(policyNamespace)
                  : nsSelector.matches(namespaceLabels.getOrDefault(ns, Map.of()));
          if (inNamespace
              && podSelector.matches(labels(pod.getMetadata().getLabels()))
              && seen.add(ns + "/" + pod.getMetadata().getName())) {
            for (String ip : ipv4Addresses(pod)) {
              peers.add(new ResolvedPeer(Peer.of(ip + "/32"), pod));
            }
          }
        }
      }
      return peers;
    }

    /** The pods whose addresses {@code peer} covers; every pod for "any". */
    List<Pod> podsIn(Peer peer) {
      if (peer == null) {
        return pods;
      }
      return pods.stream()
          .filter(
              p ->
                  ipv4Addresses(p).stream()
                      .anyMatch(ip -> Cidrs.contains(peer.cidr(), peer.except(), ip)))
          .toList();
    }
  }
}
