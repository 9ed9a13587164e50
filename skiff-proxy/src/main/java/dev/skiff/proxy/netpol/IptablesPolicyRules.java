package dev.skiff.proxy.netpol;

import dev.skiff.proxy.iptables.ChainNames;
import dev.skiff.proxy.netpol.CompiledPolicies.Allow;
import dev.skiff.proxy.netpol.CompiledPolicies.PodChain;
import dev.skiff.proxy.netpol.CompiledPolicies.PolicyChain;
import dev.skiff.proxy.netpol.CompiledPolicies.PolicyRef;
import dev.skiff.proxy.netpol.CompiledPolicies.PortMatch;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Renders {@link CompiledPolicies} as {@code iptables-restore --noflush} input for the filter
 * table.
 *
 * <p>Layout: {@value #NETPOL} (jumped to from FORWARD) runs {@value #EGRESS} then {@value
 * #INGRESS}; INPUT jumps to {@value #EGRESS} too, so a pod's traffic to its node obeys its egress
 * policies. Both pass replies ({@code RELATED,ESTABLISHED}) and send an isolated pod's traffic, by
 * pod IP, to the pod's chain ({@code SKIFF-NPPI-…} / {@code SKIFF-NPPE-…}). A pod chain clears the
 * allow mark, jumps to the chain of each policy selecting the pod ({@code SKIFF-NPI-…} / {@code
 * SKIFF-NPE-…}), returns when one of them set the mark and drops otherwise. A policy chain holds
 * one marking rule per allowed peer and port. Chain names are hashes; comments name the pod or
 * policy.
 */
public final class IptablesPolicyRules {
  public static final String NETPOL = "SKIFF-NETPOL";
  public static final String INGRESS = "SKIFF-NETPOL-INGRESS";
  public static final String EGRESS = "SKIFF-NETPOL-EGRESS";
  static final String ALLOW_MARK = "0x10000";

  /** The generated input and the per-pod and per-policy chains it uses. */
  public record RuleSet(String restoreInput, Set<String> chains) {}

  /** Whether {@code chain} is one of the per-pod or per-policy chains this renderer writes. */
  public static boolean isOwnChain(String chain) {
    return chain.startsWith("SKIFF-NPP")
        || chain.startsWith("SKIFF-NPI-")
        || chain.startsWith("SKIFF-NPE-");
  }

  public static String podChain(Direction direction, String namespace, String name) {
    return "SKIFF-NPP"
        + letter(direction)
        + "-"
        + ChainNames.hash16(direction.lower() + " pod " + namespace + "/" + name);
  }

  public static String policyChain(Direction direction, String namespace, String name) {
    return "SKIFF-NP"
        + letter(direction)
        + "-"
        + ChainNames.hash16(direction.lower() + " policy " + namespace + "/" + name);
  }

  private static String letter(Direction direction) {
    return direction == Direction.INGRESS ? "I" : "E";
  }

  /**
   * The whole rule set; {@code staleChains} (chains an earlier sync wrote) that it no longer uses
   * are flushed and deleted in the same transaction.
   */
  public RuleSet generate(CompiledPolicies compiled, Collection<String> staleChains) {
    List<String> chains = new ArrayList<>();
    List<String> rules = new ArrayList<>();
    Set<String> own = new LinkedHashSet<>();
    chains.add(NETPOL);
    chains.add(INGRESS);
    chains.add(EGRESS);
    rules.add(
        "-A "
            + NETPOL
            + " -m comment --comment \"network policy egress of local pods\" -j "
            + EGRESS);
    rules.add(
        "-A "
            + NETPOL
            + " -m comment --comment \"network policy ingress of local pods\" -j "
            + INGRESS);
    for (String top : List.of(INGRESS, EGRESS)) {
      rules.add(
          "-A "
              + top
              + " -m comment --comment \"replies of allowed connections\""
              + " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
    }
    for (PodChain pod : compiled.pods()) {
      String chain = podChain(pod.direction(), pod.namespace(), pod.name());
      String top = pod.direction() == Direction.INGRESS ? INGRESS : EGRESS;
      String addressFlag = pod.direction() == Direction.INGRESS ? " -d " : " -s ";
      for (String ip : pod.ips()) {
        rules.add(
            "-A "
                + top
                + addressFlag
                + ip
                + "/32 -m comment --comment "
                + quote("pod " + pod.key())
                + " -j "
                + chain);
      }
      if (own.add(chain)) {
        chains.add(chain);
      }
      rules.add("-A " + chain + " -j MARK --set-xmark 0x0/" + ALLOW_MARK);
      for (PolicyRef policy : pod.policies()) {
        rules.add(
            "-A "
                + chain
                + " -m comment --comment "
                + quote("policy " + policy.key())
                + " -j "
                + policyChain(pod.direction(), policy.namespace(), policy.name()));
      }
      rules.add("-A " + chain + " -m mark --mark " + ALLOW_MARK + "/" + ALLOW_MARK + " -j RETURN");
      rules.add(
          "-A "
              + chain
              + " -m comment --comment "
              + quote(pod.key() + " " + pod.direction().lower() + " not allowed by any policy")
              + " -j DROP");
    }
    for (PolicyChain policy : compiled.policies()) {
      String chain = policyChain(policy.direction(), policy.namespace(), policy.name());
      if (own.add(chain)) {
        chains.add(chain);
      }
      for (Allow allow : policy.allows()) {
        for (String match : matches(policy.direction(), allow)) {
          rules.add(
              "-A "
                  + chain
                  + match
                  + " -m comment --comment "
                  + quote(policy.key())
                  + " -j MARK --set-xmark "
                  + ALLOW_MARK
                  + "/"
                  + ALLOW_MARK);
        }
      }
    }
    List<String> deletions = new ArrayList<>();
    for (String stale : new TreeSet<>(staleChains)) {
      if (!own.contains(stale)) {
        chains.add(stale);
        deletions.add("-X " + stale);
      }
    }
    StringBuilder out = new StringBuilder("*filter\n");
    chains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
    rules.forEach(r -> out.append(r).append('\n'));
    deletions.forEach(d -> out.append(d).append('\n'));
    out.append("COMMIT\n");
    return new RuleSet(out.toString(), Set.copyOf(own));
  }

  /** The match parts of the rules for one allow: one per CIDR left after removing excepts. */
  private static List<String> matches(Direction direction, Allow allow) {
    String peerFlag = direction == Direction.INGRESS ? " -s " : " -d ";
    List<String> peers = new ArrayList<>();
    if (allow.peer() == null) {
      peers.add("");
    } else {
      for (String cidr : Cidrs.subtract(allow.peer().cidr(), allow.peer().except())) {
        peers.add(peerFlag + cidr);
      }
    }
    String local = allow.localIp() == null ? "" : " -d " + allow.localIp() + "/32";
    String port = port(allow.port());
    return peers.stream().map(p -> p + local + port).toList();
  }

  private static String port(PortMatch port) {
    if (port == null) {
      return "";
    }
    String proto = " -p " + port.protocol();
    if (port.port() == 0) {
      return proto;
    }
    String range =
        port.endPort() == 0 ? Integer.toString(port.port()) : port.port() + ":" + port.endPort();
    return proto + " -m " + port.protocol() + " --dport " + range;
  }

  private static String quote(String comment) {
    return "\"" + comment + "\"";
  }
}
