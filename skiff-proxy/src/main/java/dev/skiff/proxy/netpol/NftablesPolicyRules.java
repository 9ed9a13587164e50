package dev.skiff.proxy.netpol;

import dev.skiff.proxy.netpol.CompiledPolicies.Allow;
import dev.skiff.proxy.netpol.CompiledPolicies.PodChain;
import dev.skiff.proxy.netpol.CompiledPolicies.PolicyChain;
import dev.skiff.proxy.netpol.CompiledPolicies.PolicyRef;
import dev.skiff.proxy.netpol.CompiledPolicies.PortMatch;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders {@link CompiledPolicies} as an {@code nft -f} script that re-creates the table {@code ip
 * skiff-netpol} in one transaction.
 *
 * <p>Egress and ingress are separate base chains ({@code forward-egress} at priority 0, {@code
 * forward-ingress} at 1, and {@code input-egress} for a pod's traffic to its node), so a packet
 * must be accepted by both and an {@code accept} in one does not skip the other. Each passes
 * replies ({@code ct state established,related}) and jumps by pod IP to the pod's chain ({@code
 * ingress-pod-NS/NAME}), which jumps to each selecting policy's chain ({@code
 * ingress-policy-NS/NAME}, one {@code accept} rule per allowed peer and port) and drops what none
 * accepted.
 */
public final class NftablesPolicyRules {
  public static final String TABLE = "skiff-netpol";
  private static final String T = "ip " + TABLE + " ";

  public static String podChain(Direction direction, String namespace, String name) {
    return direction.lower() + "-pod-" + namespace + "/" + name;
  }

  public static String policyChain(Direction direction, String namespace, String name) {
    return direction.lower() + "-policy-" + namespace + "/" + name;
  }

  public String generate(CompiledPolicies compiled) {
    List<String> out = new ArrayList<>();
    String table = "add table " + T + "{ comment \"network policies of this node's pods\" ; }";
    out.add("add table " + T.strip());
    out.add("delete table " + T.strip());
    out.add(table);
    out.add("add chain " + T + "forward-egress { type filter hook forward priority 0 ; }");
    out.add("add chain " + T + "forward-ingress { type filter hook forward priority 1 ; }");
    out.add("add chain " + T + "input-egress { type filter hook input priority 0 ; }");
    out.add("add chain " + T + "ingress");
    out.add("add chain " + T + "egress");
    for (String base : List.of("forward-egress", "forward-ingress", "input-egress")) {
      out.add("add rule " + T + base + " ct state established,related accept");
      out.add(
          "add rule " + T + base + " jump " + (base.endsWith("ingress") ? "ingress" : "egress"));
    }
    Set<String> declared = new LinkedHashSet<>();
    List<String> rules = new ArrayList<>();
    for (PodChain pod : compiled.pods()) {
      String chain = podChain(pod.direction(), pod.namespace(), pod.name());
      String dispatch = pod.direction().lower();
      String addr = pod.direction() == Direction.INGRESS ? "ip daddr " : "ip saddr ";
      for (String ip : pod.ips()) {
        rules.add("add rule " + T + dispatch + " " + addr + ip + " jump " + chain);
      }
      declared.add(chain);
      for (PolicyRef policy : pod.policies()) {
        rules.add(
            "add rule "
                + T
                + chain
                + " jump "
                + policyChain(pod.direction(), policy.namespace(), policy.name()));
      }
      rules.add(
          "add rule "
              + T
              + chain
              + " drop comment "
              + quote(pod.key() + " " + pod.direction().lower() + " not allowed by any policy"));
    }
    for (PolicyChain policy : compiled.policies()) {
      String chain = policyChain(policy.direction(), policy.namespace(), policy.name());
      declared.add(chain);
      for (Allow allow : policy.allows()) {
        rules.add("add rule " + T + chain + match(policy.direction(), allow) + " accept");
      }
    }
    declared.forEach(c -> out.add("add chain " + T + c));
    out.addAll(rules);
    StringBuilder script = new StringBuilder();
    out.forEach(l -> script.append(l).append('\n'));
    return script.toString();
  }

  private static String match(Direction direction, Allow allow) {
    StringBuilder m = new StringBuilder();
    String peerAddr = direction == Direction.INGRESS ? " ip saddr " : " ip daddr ";
    if (allow.peer() != null) {
      m.append(peerAddr).append(address(allow.peer().cidr()));
      if (!allow.peer().except().isEmpty()) {
        m.append(peerAddr)
            .append("!= { ")
            .append(String.join(", ", allow.peer().except()))
            .append(" }");
      }
    }
    if (allow.localIp() != null) {
      m.append(" ip daddr ").append(allow.localIp());
    }
    PortMatch port = allow.port();
    if (port != null) {
      if (port.port() == 0) {
        m.append(" meta l4proto ").append(port.protocol());
      } else {
        m.append(' ').append(port.protocol()).append(" dport ").append(port.port());
        if (port.endPort() != 0) {
          m.append('-').append(port.endPort());
        }
      }
    }
    return m.toString();
  }

  /** A /32 as the bare address, as nft lists it. */
  private static String address(String cidr) {
    return cidr.endsWith("/32") ? cidr.substring(0, cidr.length() - 3) : cidr;
  }

  private static String quote(String comment) {
    return "\"" + comment + "\"";
  }
}
