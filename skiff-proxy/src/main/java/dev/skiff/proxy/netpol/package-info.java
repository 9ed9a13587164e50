/**
 * NetworkPolicy (networking.k8s.io/v1) enforcement for the pods of one node, part of the proxy in
 * its iptables and nftables modes ({@code skiff proxy --disable-network-policy} turns it off).
 *
 * <p>{@link dev.skiff.proxy.netpol.NetworkPolicyController} watches pods, namespaces and network
 * policies; {@link dev.skiff.proxy.netpol.NetworkPolicyCompiler} turns them into {@link
 * dev.skiff.proxy.netpol.CompiledPolicies} (isolated local pods, and what each selecting policy
 * allows); {@link dev.skiff.proxy.netpol.IptablesPolicyRules} or {@link
 * dev.skiff.proxy.netpol.NftablesPolicyRules} render that, and the matching enforcer applies it in
 * one iptables-restore or nft transaction, only when it changed.
 *
 * <p>Where it filters: FORWARD (pod to pod, routed or bridged, and pods to and from other nodes)
 * for ingress and egress, and INPUT for a pod's egress to its own node. Traffic from the node to
 * its pods (OUTPUT) is never filtered, as Kubernetes requires (kubelet probes). Traffic between two
 * pods on one bridge reaches the filter only with br_netfilter and {@code
 * net.bridge.bridge-nf-call-iptables=1}, which {@link dev.skiff.proxy.netpol.BridgeNetfilter} turns
 * on (it logs a warning when it cannot). Pods are addressed by their IPv4 status.podIPs;
 * host-network pods are neither selected nor peers.
 */
package dev.skiff.proxy.netpol;
