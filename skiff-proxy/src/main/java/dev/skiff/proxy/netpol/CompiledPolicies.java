package dev.skiff.proxy.netpol;

import java.util.List;

/**
 * The network policies of one node compiled to what both renderers (iptables and nftables) write:
 * for each isolated local pod and direction, the policies that select it; for each of those
 * policies, the traffic it allows. Lists are in a deterministic order (namespace, then name).
 *
 * @param pods one entry per (local pod, direction) the pod is isolated for
 * @param policies one entry per (policy, direction) that selects at least one local pod
 */
public record CompiledPolicies(List<PodChain> pods, List<PolicyChain> policies) {
  public CompiledPolicies {
    pods = List.copyOf(pods);
    policies = List.copyOf(policies);
  }

  public static CompiledPolicies empty() {
    return new CompiledPolicies(List.of(), List.of());
  }

  /**
   * A local pod isolated for {@code direction}: its traffic that way passes only when one of the
   * listed policies allows it (replies of allowed connections always pass).
   *
   * @param ips the pod's IPv4 addresses
   * @param policies the policies selecting it for {@code direction}, as (namespace, name)
   */
  public record PodChain(
      Direction direction,
      String namespace,
      String name,
      List<String> ips,
      List<PolicyRef> policies) {
    public PodChain {
      ips = List.copyOf(ips);
      policies = List.copyOf(policies);
    }

    public String key() {
      return namespace + "/" + name;
    }
  }

  /** A policy by namespace and name. */
  public record PolicyRef(String namespace, String name) {
    public String key() {
      return namespace + "/" + name;
    }
  }

  /**
   * What one policy allows in one direction, for the local pods it selects; empty allows nothing.
   */
  public record PolicyChain(
      Direction direction, String namespace, String name, List<Allow> allows) {
    public PolicyChain {
      allows = List.copyOf(allows);
    }

    public String key() {
      return namespace + "/" + name;
    }
  }

  /**
   * One allowed kind of traffic.
   *
   * @param peer the other side (source for ingress, destination for egress); null for any address
   * @param localIp for ingress rules with a named port: the selected pod's address the resolved
   *     port belongs to; null otherwise
   * @param port the protocol and destination ports; null for every protocol and port
   */
  public record Allow(Peer peer, String localIp, PortMatch port) {}

  /** An IPv4 CIDR (a pod is its /32) minus the excepted CIDRs inside it. */
  public record Peer(String cidr, List<String> except) {
    public Peer {
      except = List.copyOf(except);
    }

    public static Peer of(String cidr) {
      return new Peer(cidr, List.of());
    }
  }

  /**
   * A protocol (lower case: tcp, udp or sctp) and a destination port or range.
   *
   * @param port the port, 0 for every port of the protocol
   * @param endPort the last port of a range, 0 for a single port
   */
  public record PortMatch(String protocol, int port, int endPort) {}
}
