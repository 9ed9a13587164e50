package dev.skiff.proxy.state;

import java.util.List;

/**
 * What the proxy needs of one service port.
 *
 * @param affinityTimeoutSeconds sessionAffinity ClientIP timeout, 0 without affinity
 * @param externalPolicyLocal externalTrafficPolicy Local on a NodePort or LoadBalancer service
 * @param internalPolicyLocal internalTrafficPolicy Local
 */
public record ServicePortInfo(
    ServicePortName name,
    String clusterIP,
    int port,
    int nodePort,
    List<String> externalIPs,
    List<String> loadBalancerIPs,
    int affinityTimeoutSeconds,
    boolean externalPolicyLocal,
    boolean internalPolicyLocal) {

  public ServicePortInfo {
    externalIPs = List.copyOf(externalIPs);
    loadBalancerIPs = List.copyOf(loadBalancerIPs);
  }

  /** A ClusterIP service port with no affinity and Cluster policies. */
  public static ServicePortInfo clusterIP(ServicePortName name, String clusterIP, int port) {
    return new ServicePortInfo(name, clusterIP, port, 0, List.of(), List.of(), 0, false, false);
  }

  public boolean clientIPAffinity() {
    return affinityTimeoutSeconds > 0;
  }

  /** Reached from outside the cluster: a node port, external IPs or load-balancer IPs. */
  public boolean externallyAccessible() {
    return nodePort != 0 || !externalIPs.isEmpty() || !loadBalancerIPs.isEmpty();
  }

  /** Some traffic to this port goes to endpoints anywhere in the cluster. */
  public boolean usesClusterEndpoints() {
    return !internalPolicyLocal || (externallyAccessible() && !externalPolicyLocal);
  }

  /** Some traffic to this port goes only to endpoints on this node. */
  public boolean usesLocalEndpoints() {
    return internalPolicyLocal || (externalPolicyLocal && externallyAccessible());
  }

  public ServicePortInfo withNodePort(int newNodePort) {
    return new ServicePortInfo(
        name,
        clusterIP,
        port,
        newNodePort,
        externalIPs,
        loadBalancerIPs,
        affinityTimeoutSeconds,
        externalPolicyLocal,
        internalPolicyLocal);
  }

  public ServicePortInfo withAffinity(int timeoutSeconds) {
    return new ServicePortInfo(
        name,
        clusterIP,
        port,
        nodePort,
        externalIPs,
        loadBalancerIPs,
        timeoutSeconds,
        externalPolicyLocal,
        internalPolicyLocal);
  }

  public ServicePortInfo withPolicies(boolean externalLocal, boolean internalLocal) {
    return new ServicePortInfo(
        name,
        clusterIP,
        port,
        nodePort,
        externalIPs,
        loadBalancerIPs,
        affinityTimeoutSeconds,
        externalLocal,
        internalLocal);
  }
}
