package dev.skiff.proxy.iptables;

import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.EndpointCategories;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Generates the {@code iptables-restore --noflush} input for the filter and nat tables in
 * kube-proxy's layout: KUBE-SERVICES, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES, KUBE-FORWARD,
 * KUBE-MARK-MASQ, KUBE-POSTROUTING and per service port KUBE-SVC / KUBE-SVL / KUBE-EXT and per
 * endpoint KUBE-SEP chains.
 *
 * <p>The top-level chains are always rewritten. A service port's own chains are written only when
 * {@code writeService} accepts it (the incremental sync passes the changed ones); the chains listed
 * as stale are flushed and deleted in the same transaction.
 */
public final class IptablesRules {
  public static final String KUBE_SERVICES = "KUBE-SERVICES";
  public static final String KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
  public static final String KUBE_NODEPORTS = "KUBE-NODEPORTS";
  public static final String KUBE_FORWARD = "KUBE-FORWARD";
  public static final String KUBE_POSTROUTING = "KUBE-POSTROUTING";
  public static final String KUBE_MARK_MASQ = "KUBE-MARK-MASQ";
  static final String MASQ_MARK = "0x4000";

  /** The generated input and the per-service chains the state uses. */
  public record RuleSet(String restoreInput, Set<String> serviceChains, int lineCount) {}

  private final String clusterCidr;

  /**
   * {@code clusterCidr}: the pod network; traffic from outside it to a cluster IP is masqueraded.
   */
  public IptablesRules(String clusterCidr) {
    this.clusterCidr = clusterCidr;
  }

  /** The chains a service port's rules would live in; true for names this proxy owns. */
  public static boolean isServiceChain(String chain) {
    return chain.startsWith("KUBE-SVC-")
        || chain.startsWith("KUBE-SVL-")
        || chain.startsWith("KUBE-EXT-")
        || chain.startsWith("KUBE-SEP-");
  }

  public RuleSet generate(
      ProxyState state, Predicate<ServicePortName> writeService, Collection<String> staleChains) {
    Lines filterChains = new Lines();
    Lines filterRules = new Lines();
    Lines natChains = new Lines();
    Lines natRules = new Lines();
    for (String chain :
        List.of(KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS)) {
      filterChains.add(":" + chain + " - [0:0]");
    }
    for (String chain : List.of(KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ)) {
      natChains.add(":" + chain + " - [0:0]");
    }
    filterRules.add("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP");
    filterRules.add(
        "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark "
            + MASQ_MARK
            + "/"
            + MASQ_MARK
            + " -j ACCEPT");
    filterRules.add(
        "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\""
            + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
    natRules.add(
        "-A KUBE-POSTROUTING -m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
    natRules.add("-A KUBE-POSTROUTING -j MARK --xor-mark " + MASQ_MARK);
    natRules.add(
        "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\""
            + " -j MASQUERADE --random-fully");
    natRules.add("-A KUBE-MARK-MASQ -j MARK --or-mark " + MASQ_MARK);

    Set<String> active = new LinkedHashSet<>();
    for (ServicePortInfo svc : state.services().values()) {
      writeServicePort(
          svc,
          state.endpointsOf(svc.name()),
          writeService.test(svc.name()),
          active,
          filterRules,
          natChains,
          natRules);
    }
    natRules.add(
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be"
            + " the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS");
    for (String stale : new TreeSet<>(staleChains)) {
      if (!active.contains(stale)) {
        natChains.add(":" + stale + " - [0:0]");
        natRules.add("-X " + stale);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("*filter\n").append(filterChains).append(filterRules).append("COMMIT\n");
    out.append("*nat\n").append(natChains).append(natRules).append("COMMIT\n");
    int lines = filterChains.count + filterRules.count + natChains.count + natRules.count + 4;
    return new RuleSet(out.toString(), Set.copyOf(active), lines);
  }

  private void writeServicePort(
      ServicePortInfo svc,
      List<Endpoint> endpoints,
      boolean writeChains,
      Set<String> active,
      Lines filterRules,
      Lines natChains,
      Lines natRules) {
    ServicePortName name = svc.name();
    String proto = name.lowerProtocol();
    String protoMatch = "-m " + proto + " -p " + proto;
    EndpointCategories categories = EndpointCategories.of(svc, endpoints);
    for (Endpoint ep : categories.allReachable()) {
      active.add(ChainNames.endpoint(name, ep));
    }
    String clusterPolicyChain = ChainNames.service(name);
    boolean usesClusterPolicyChain = !categories.cluster().isEmpty() && svc.usesClusterEndpoints();
    String localPolicyChain = ChainNames.serviceLocal(name);
    boolean usesLocalPolicyChain = !categories.local().isEmpty() && svc.usesLocalEndpoints();

    boolean hasEndpoints = categories.hasAny();
    String internalPolicyChain = clusterPolicyChain;
    boolean hasInternalEndpoints = hasEndpoints;
    if (svc.internalPolicyLocal()) {
      internalPolicyChain = localPolicyChain;
      hasInternalEndpoints = !categories.local().isEmpty();
    }
    String externalPolicyChain = clusterPolicyChain;
    boolean hasExternalEndpoints = hasEndpoints;
    if (svc.externalPolicyLocal()) {
      externalPolicyChain = localPolicyChain;
      hasExternalEndpoints = !categories.local().isEmpty();
    }
    String externalChain = ChainNames.external(name);
    boolean usesExternalChain = hasEndpoints && svc.externallyAccessible();

    String internalFilterTarget = null;
    String internalFilterComment = null;
    String externalFilterTarget = null;
    String externalFilterComment = null;
    if (!hasEndpoints) {
      internalFilterTarget = "REJECT";
      internalFilterComment = quote(name + " has no endpoints");
      externalFilterTarget = "REJECT";
      externalFilterComment = internalFilterComment;
    } else {
      if (!hasInternalEndpoints) {
        internalFilterTarget = "DROP";
        internalFilterComment = quote(name + " has no local endpoints");
      }
      if (!hasExternalEndpoints) {
        externalFilterTarget = "DROP";
        externalFilterComment = quote(name + " has no local endpoints");
      }
    }

    String clusterIPMatch =
        "-m comment --comment "
            + quote(name + " cluster IP")
            + " "
            + protoMatch
            + " -d "
            + svc.clusterIP()
            + " --dport "
            + svc.port();
    if (hasInternalEndpoints) {
      natRules.add("-A KUBE-SERVICES " + clusterIPMatch + " -j " + internalPolicyChain);
    } else {
      filterRules.add(
          "-A KUBE-SERVICES -m comment --comment "
              + internalFilterComment
              + " "
              + protoMatch
              + " -d "
              + svc.clusterIP()
              + " --dport "
              + svc.port()
              + " -j "
              + internalFilterTarget);
    }
    writeExternalDestinations(
        svc,
        "external IP",
        svc.externalIPs(),
        hasEndpoints,
        hasExternalEndpoints,
        externalChain,
        externalFilterTarget,
        externalFilterComment,
        filterRules,
        natRules);
    writeExternalDestinations(
        svc,
        "loadbalancer IP",
        svc.loadBalancerIPs(),
        hasEndpoints,
        hasExternalEndpoints,
        externalChain,
        externalFilterTarget,
        externalFilterComment,
        filterRules,
        natRules);
    if (svc.nodePort() != 0) {
      if (hasEndpoints) {
        natRules.add(
            "-A KUBE-NODEPORTS -m comment --comment "
                + quote(name.toString())
                + " "
                + protoMatch
                + " --dport "
                + svc.nodePort()
                + " -j "
                + externalChain);
      }
      if (!hasExternalEndpoints) {
        filterRules.add(
            "-A KUBE-EXTERNAL-SERVICES -m comment --comment "
                + externalFilterComment
                + " -m addrtype --dst-type LOCAL "
                + protoMatch
                + " --dport "
                + svc.nodePort()
                + " -j "
                + externalFilterTarget);
      }
    }

    if (usesExternalChain) {
      active.add(externalChain);
    }
    if (usesClusterPolicyChain) {
      active.add(clusterPolicyChain);
    }
    if (usesLocalPolicyChain) {
      active.add(localPolicyChain);
    }
    if (!writeChains) {
      return;
    }
    if (hasInternalEndpoints) {
      natRules.add(
          "-A "
              + internalPolicyChain
              + " "
              + clusterIPMatch
              + " ! -s "
              + clusterCidr
              + " -j KUBE-MARK-MASQ");
    }
    if (usesExternalChain) {
      natChains.add(":" + externalChain + " - [0:0]");
      if (!svc.externalPolicyLocal()) {
        natRules.add(
            "-A "
                + externalChain
                + " -m comment --comment "
                + quote("masquerade traffic for " + name + " external destinations")
                + " -j KUBE-MARK-MASQ");
      } else {
        natRules.add(
            "-A "
                + externalChain
                + " -m comment --comment "
                + quote("pod traffic for " + name + " external destinations")
                + " -s "
                + clusterCidr
                + " -j "
                + clusterPolicyChain);
        natRules.add(
            "-A "
                + externalChain
                + " -m comment --comment "
                + quote("masquerade LOCAL traffic for " + name + " external destinations")
                + " -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ");
        natRules.add(
            "-A "
                + externalChain
                + " -m comment --comment "
                + quote("route LOCAL traffic for " + name + " external destinations")
                + " -m addrtype --src-type LOCAL -j "
                + clusterPolicyChain);
      }
      if (hasExternalEndpoints) {
        natRules.add("-A " + externalChain + " -j " + externalPolicyChain);
      }
    }
    if (usesClusterPolicyChain) {
      natChains.add(":" + clusterPolicyChain + " - [0:0]");
      writeBalancing(svc, clusterPolicyChain, categories.cluster(), natRules);
    }
    if (usesLocalPolicyChain) {
      natChains.add(":" + localPolicyChain + " - [0:0]");
      writeBalancing(svc, localPolicyChain, categories.local(), natRules);
    }
    for (Endpoint ep : categories.allReachable()) {
      String chain = ChainNames.endpoint(name, ep);
      natChains.add(":" + chain + " - [0:0]");
      String prefix = "-A " + chain + " -m comment --comment " + quote(name.toString());
      natRules.add(prefix + " -s " + ep.ip() + " -j KUBE-MARK-MASQ");
      String affinity = svc.clientIPAffinity() ? " -m recent --name " + chain + " --set" : "";
      natRules.add(prefix + affinity + " " + protoMatch + " -j DNAT --to-destination " + ep);
    }
  }

  private static void writeExternalDestinations(
      ServicePortInfo svc,
      String kind,
      List<String> ips,
      boolean hasEndpoints,
      boolean hasExternalEndpoints,
      String externalChain,
      String filterTarget,
      String filterComment,
      Lines filterRules,
      Lines natRules) {
    String proto = svc.name().lowerProtocol();
    for (String ip : ips) {
      String match = "-m " + proto + " -p " + proto + " -d " + ip + " --dport " + svc.port();
      if (hasEndpoints) {
        natRules.add(
            "-A KUBE-SERVICES -m comment --comment "
                + quote(svc.name() + " " + kind)
                + " "
                + match
                + " -j "
                + externalChain);
      }
      if (!hasExternalEndpoints) {
        filterRules.add(
            "-A KUBE-EXTERNAL-SERVICES -m comment --comment "
                + filterComment
                + " "
                + match
                + " -j "
                + filterTarget);
      }
    }
  }

  private static void writeBalancing(
      ServicePortInfo svc, String chain, List<Endpoint> endpoints, Lines natRules) {
    ServicePortName name = svc.name();
    if (svc.clientIPAffinity()) {
      for (Endpoint ep : endpoints) {
        String epChain = ChainNames.endpoint(name, ep);
        natRules.add(
            "-A "
                + chain
                + " -m comment --comment "
                + quote(name + " -> " + ep)
                + " -m recent --name "
                + epChain
                + " --rcheck --seconds "
                + svc.affinityTimeoutSeconds()
                + " --reap -j "
                + epChain);
      }
    }
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      Endpoint ep = endpoints.get(i);
      StringBuilder rule =
          new StringBuilder("-A ")
              .append(chain)
              .append(" -m comment --comment ")
              .append(quote(name + " -> " + ep));
      if (i < n - 1) {
        rule.append(" -m statistic --mode random --probability ").append(probability(n - i));
      }
      rule.append(" -j ").append(ChainNames.endpoint(name, ep));
      natRules.add(rule.toString());
    }
  }

  /** 1/n with ten decimals, as kube-proxy formats it ({@code 0.3333333333}). */
  public static String probability(int n) {
    return String.format(Locale.ROOT, "%.10f", 1.0 / n);
  }

  private static String quote(String comment) {
    return "\"" + comment + "\"";
  }

  private static final class Lines {
    private final StringBuilder text = new StringBuilder();
    private int count;

    void add(String line) {
      text.append(line).append('\n');
      count++;
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
