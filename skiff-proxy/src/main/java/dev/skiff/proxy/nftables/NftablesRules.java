package dev.skiff.proxy.nftables;

import dev.skiff.proxy.iptables.ChainNames;
import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.EndpointCategories;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Generates the {@code nft -f} input for the proxy's own table {@code ip skiff-proxy}, with the
 * behaviour of the iptables mode: verdict maps from (IP, protocol, port) and (protocol, node port)
 * to per-service chains; random balancing with {@code numgen} cascades; ClientIP affinity with
 * dynamic sets that time out; reject (no endpoints) or drop (no local endpoints) in the filter
 * hooks; masquerading of marked traffic, hairpin included.
 *
 * <p>A full sync deletes and re-creates the table in the same transaction. An incremental sync
 * refills the maps, rewrites only the chains of the service ports {@code writeService} accepts and
 * deletes the stale chains and sets.
 */
public final class NftablesRules {
  public static final String TABLE = "skiff-proxy";
  private static final String T = "ip " + TABLE + " ";
  private static final String MASQ_MARK = "0x4000";

  /** The generated input and the per-service chains and sets the state uses. */
  public record RuleSet(String script, Set<String> serviceObjects, int lineCount) {}

  private final String clusterCidr;

  public NftablesRules(String clusterCidr) {
    this.clusterCidr = clusterCidr;
  }

  static String base(ServicePortInfo svc) {
    ServicePortName n = svc.name();
    String port = n.port().isEmpty() ? "p" + svc.port() : n.port();
    return ChainNames.portProtoHash(n).substring(0, 8)
        + "-"
        + n.namespace()
        + "/"
        + n.name()
        + "/"
        + n.lowerProtocol()
        + "/"
        + port;
  }

  public static String serviceChain(ServicePortInfo svc) {
    return "service-" + base(svc);
  }

  public static String localChain(ServicePortInfo svc) {
    return "local-" + base(svc);
  }

  public static String externalChain(ServicePortInfo svc) {
    return "external-" + base(svc);
  }

  public static String endpointChain(ServicePortInfo svc, Endpoint ep) {
    return "endpoint-" + endpointBase(svc, ep);
  }

  public static String affinitySet(ServicePortInfo svc, Endpoint ep) {
    return "affinity-" + endpointBase(svc, ep);
  }

  private static String endpointBase(ServicePortInfo svc, Endpoint ep) {
    ServicePortName n = svc.name();
    String hash =
        ChainNames.endpoint(n, ep).substring("KUBE-SEP-".length(), "KUBE-SEP-".length() + 8);
    return hash + "-" + base(svc).substring(9) + "__" + ep.ip() + "/" + ep.port();
  }

  public RuleSet generate(
      ProxyState state,
      boolean full,
      Predicate<ServicePortName> writeService,
      Collection<String> staleObjects) {
    Lines head = new Lines();
    Lines declarations = new Lines();
    Lines rules = new Lines();
    Lines elements = new Lines();
    Lines deletions = new Lines();
    String tableSpec = "add table ip " + TABLE + " { comment \"rules for kube-proxy\" ; }";
    head.add(tableSpec);
    if (full) {
      head.add("delete table ip " + TABLE);
      head.add(tableSpec);
      writeStatic(head);
    } else {
      for (String map :
          List.of(
              "service-ips",
              "service-nodeports",
              "no-endpoint-services",
              "no-endpoint-nodeports")) {
        head.add("flush map " + T + map);
      }
    }
    Set<String> active = new LinkedHashSet<>();
    for (ServicePortInfo svc : state.services().values()) {
      writeServicePort(
          svc,
          state.endpointsOf(svc.name()),
          full || writeService.test(svc.name()),
          active,
          declarations,
          rules,
          elements);
    }
    if (!full) {
      // Stale chains may jump to each other: flush them all before deleting any; the affinity
      // sets go last, once no rule refers to them.
      List<String> staleChains =
          new TreeSet<>(staleObjects)
              .stream().filter(o -> !active.contains(o) && !o.startsWith("affinity-")).toList();
      staleChains.forEach(c -> deletions.add("flush chain " + T + c));
      staleChains.forEach(c -> deletions.add("delete chain " + T + c));
      for (String stale : new TreeSet<>(staleObjects)) {
        if (!active.contains(stale) && stale.startsWith("affinity-")) {
          deletions.add("delete set " + T + stale);
        }
      }
    }
    String script = head.toString() + declarations + rules + elements + deletions;
    int lines = head.count + declarations.count + rules.count + elements.count + deletions.count;
    return new RuleSet(script, Set.copyOf(active), lines);
  }

  private static void writeStatic(Lines out) {
    chain(out, "nat-prerouting", "type nat hook prerouting priority dstnat ;");
    chain(out, "nat-output", "type nat hook output priority -100 ;");
    chain(out, "nat-postrouting", "type nat hook postrouting priority srcnat ;");
    chain(out, "filter-input", "type filter hook input priority -110 ;");
    chain(out, "filter-forward", "type filter hook forward priority -110 ;");
    chain(out, "filter-output", "type filter hook output priority -110 ;");
    for (String c :
        List.of(
            "mark-for-masquerade",
            "masquerading",
            "reject-chain",
            "services",
            "service-endpoints-check",
            "external-services-check")) {
      out.add("add chain " + T + c);
    }
    out.add(
        "add map " + T + "service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; }");
    out.add("add map " + T + "service-nodeports { type inet_proto . inet_service : verdict ; }");
    out.add(
        "add map "
            + T
            + "no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; }");
    out.add(
        "add map " + T + "no-endpoint-nodeports { type inet_proto . inet_service : verdict ; }");
    out.add("add rule " + T + "nat-prerouting jump services");
    out.add("add rule " + T + "nat-output jump services");
    out.add("add rule " + T + "nat-postrouting jump masquerading");
    out.add("add rule " + T + "filter-input ct state new jump external-services-check");
    out.add("add rule " + T + "filter-forward ct state new jump service-endpoints-check");
    out.add("add rule " + T + "filter-forward ct state new jump external-services-check");
    out.add("add rule " + T + "filter-output ct state new jump service-endpoints-check");
    out.add("add rule " + T + "mark-for-masquerade mark set mark or " + MASQ_MARK);
    out.add("add rule " + T + "masquerading mark and " + MASQ_MARK + " == 0 return");
    out.add("add rule " + T + "masquerading mark set mark xor " + MASQ_MARK);
    out.add("add rule " + T + "masquerading masquerade fully-random");
    out.add("add rule " + T + "reject-chain reject");
    out.add("add rule " + T + "services ip daddr . meta l4proto . th dport vmap @service-ips");
    out.add(
        "add rule "
            + T
            + "services fib daddr type local ip daddr != 127.0.0.0/8"
            + " meta l4proto . th dport vmap @service-nodeports");
    out.add(
        "add rule "
            + T
            + "service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services");
    out.add(
        "add rule "
            + T
            + "external-services-check fib daddr type local"
            + " meta l4proto . th dport vmap @no-endpoint-nodeports");
  }

  private static void chain(Lines out, String name, String spec) {
    out.add("add chain " + T + name + " { " + spec + " }");
  }

  private void writeServicePort(
      ServicePortInfo svc,
      List<Endpoint> endpoints,
      boolean writeChains,
      Set<String> active,
      Lines declarations,
      Lines rules,
      Lines elements) {
    String proto = svc.name().lowerProtocol();
    EndpointCategories categories = EndpointCategories.of(svc, endpoints);
    String clusterChain = serviceChain(svc);
    boolean usesClusterChain = !categories.cluster().isEmpty() && svc.usesClusterEndpoints();
    String localChain = localChain(svc);
    boolean usesLocalChain = !categories.local().isEmpty() && svc.usesLocalEndpoints();
    boolean hasEndpoints = categories.hasAny();
    String internalChain = svc.internalPolicyLocal() ? localChain : clusterChain;
    boolean hasInternal = svc.internalPolicyLocal() ? !categories.local().isEmpty() : hasEndpoints;
    String externalPolicyChain = svc.externalPolicyLocal() ? localChain : clusterChain;
    boolean hasExternal = svc.externalPolicyLocal() ? !categories.local().isEmpty() : hasEndpoints;
    String externalChain = externalChain(svc);
    boolean usesExternalChain = hasEndpoints && svc.externallyAccessible();
    String internalVerdict = hasEndpoints ? "drop" : "goto reject-chain";
    String externalVerdict = hasEndpoints ? "drop" : "goto reject-chain";

    String key = svc.clusterIP() + " . " + proto + " . " + svc.port();
    if (hasInternal) {
      elements.add(element("service-ips", key, "goto " + internalChain));
    } else {
      elements.add(element("no-endpoint-services", key, internalVerdict));
    }
    for (String ip : concat(svc.externalIPs(), svc.loadBalancerIPs())) {
      String ipKey = ip + " . " + proto + " . " + svc.port();
      if (hasEndpoints) {
        elements.add(element("service-ips", ipKey, "goto " + externalChain));
      }
      if (!hasExternal) {
        elements.add(element("no-endpoint-services", ipKey, externalVerdict));
      }
    }
    if (svc.nodePort() != 0) {
      String portKey = proto + " . " + svc.nodePort();
      if (hasEndpoints) {
        elements.add(element("service-nodeports", portKey, "goto " + externalChain));
      }
      if (!hasExternal) {
        elements.add(element("no-endpoint-nodeports", portKey, externalVerdict));
      }
    }

    if (usesExternalChain) {
      active.add(externalChain);
    }
    if (usesClusterChain) {
      active.add(clusterChain);
    }
    if (usesLocalChain) {
      active.add(localChain);
    }
    for (Endpoint ep : categories.allReachable()) {
      active.add(endpointChain(svc, ep));
      if (svc.clientIPAffinity()) {
        active.add(affinitySet(svc, ep));
      }
    }
    if (!writeChains) {
      return;
    }
    for (String chain : List.of(externalChain, clusterChain, localChain)) {
      if (active.contains(chain)) {
        declarations.add("add chain " + T + chain);
        declarations.add("flush chain " + T + chain);
      }
    }
    for (Endpoint ep : categories.allReachable()) {
      declarations.add("add chain " + T + endpointChain(svc, ep));
      declarations.add("flush chain " + T + endpointChain(svc, ep));
      if (svc.clientIPAffinity()) {
        declarations.add(
            "add set "
                + T
                + affinitySet(svc, ep)
                + " { type ipv4_addr ; flags dynamic,timeout ; timeout "
                + svc.affinityTimeoutSeconds()
                + "s ; }");
      }
    }
    if (hasInternal) {
      rules.add(
          "add rule "
              + T
              + internalChain
              + " ip daddr "
              + svc.clusterIP()
              + " "
              + proto
              + " dport "
              + svc.port()
              + " ip saddr != "
              + clusterCidr
              + " jump mark-for-masquerade");
    }
    if (usesExternalChain) {
      String prefix = "add rule " + T + externalChain + " ";
      if (!svc.externalPolicyLocal()) {
        rules.add(prefix + "jump mark-for-masquerade");
      } else {
        rules.add(prefix + "ip saddr " + clusterCidr + " goto " + clusterChain);
        rules.add(prefix + "fib saddr type local jump mark-for-masquerade");
        rules.add(prefix + "fib saddr type local goto " + clusterChain);
      }
      if (hasExternal) {
        rules.add(prefix + "goto " + externalPolicyChain);
      }
    }
    if (usesClusterChain) {
      writeBalancing(svc, clusterChain, categories.cluster(), rules);
    }
    if (usesLocalChain) {
      writeBalancing(svc, localChain, categories.local(), rules);
    }
    for (Endpoint ep : categories.allReachable()) {
      String prefix = "add rule " + T + endpointChain(svc, ep) + " ";
      rules.add(prefix + "ip saddr " + ep.ip() + " jump mark-for-masquerade");
      if (svc.clientIPAffinity()) {
        rules.add(prefix + "update @" + affinitySet(svc, ep) + " { ip saddr }");
      }
      rules.add(prefix + "meta l4proto " + proto + " dnat to " + ep);
    }
  }

  private static void writeBalancing(
      ServicePortInfo svc, String chain, List<Endpoint> endpoints, Lines rules) {
    String prefix = "add rule " + T + chain + " ";
    if (svc.clientIPAffinity()) {
      for (Endpoint ep : endpoints) {
        rules.add(prefix + "ip saddr @" + affinitySet(svc, ep) + " goto " + endpointChain(svc, ep));
      }
    }
    // Like the iptables statistic cascade: endpoint i of n is taken with probability 1/(n-i) among
    // those left. An anonymous numgen verdict map per service would be shorter, but the kernel
    // handles thousands of anonymous sets in one transaction in quadratic time (measured: 5,000
    // services 9 s with maps, 3 s without).
    int n = endpoints.size();
    for (int i = 0; i < n; i++) {
      String target = "goto " + endpointChain(svc, endpoints.get(i));
      rules.add(prefix + (i < n - 1 ? "numgen random mod " + (n - i) + " == 0 " : "") + target);
    }
  }

  private static String element(String map, String key, String verdict) {
    return "add element " + T + map + " { " + key + " : " + verdict + " }";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
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
