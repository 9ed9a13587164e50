package dev.skiff.kubelet.network;

import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Masquerades pod traffic leaving the cluster network, from a chain of our own ({@value #CHAIN} in
 * the nat table, jumped to from POSTROUTING), and accepts forwarded cluster traffic on hosts whose
 * FORWARD policy is DROP ({@value #FORWARD_CHAIN}). Pod-to-pod traffic inside the cluster CIDR
 * keeps its source address. The chains are written with {@code iptables-restore --noflush}, so
 * applying twice gives the same rules.
 */
public final class Masquerade {
  public static final String CHAIN = "SKIFF-POSTROUTING";
  public static final String FORWARD_CHAIN = "SKIFF-FORWARD";

  private static final Logger log = LoggerFactory.getLogger(Masquerade.class);

  private final HostCommands commands;
  private final Cidr clusterCidr;

  public Masquerade(HostCommands commands, String clusterCidr) {
    this.commands = commands;
    this.clusterCidr = Cidr.parse(clusterCidr);
  }

  /** The rules, as iptables-restore input. */
  String rules() {
    String cidr = clusterCidr.toString();
    return String.join(
        "\n",
        "*nat",
        ":" + CHAIN + " - [0:0]",
        "-A " + CHAIN + " -s " + cidr + " -d " + cidr + " -j RETURN",
        "-A "
            + CHAIN
            + " -s "
            + cidr
            + " ! -d 224.0.0.0/4 -m comment --comment \"skiff: pod traffic leaving the cluster\""
            + " -j MASQUERADE --random-fully",
        "COMMIT",
        "*filter",
        ":" + FORWARD_CHAIN + " - [0:0]",
        "-A " + FORWARD_CHAIN + " -s " + cidr + " -j ACCEPT",
        "-A " + FORWARD_CHAIN + " -d " + cidr + " -j ACCEPT",
        "COMMIT",
        "");
  }

  /** Installs or refreshes the chains and the jumps to them. */
  public void apply() {
    commands.run(List.of("iptables-restore", "--noflush", "-w", "5"), rules(), Map.of());
    ensureJump("nat", "POSTROUTING", CHAIN);
    ensureJump("filter", "FORWARD", FORWARD_CHAIN);
    log.info("event=masquerade_applied clusterCIDR={}", clusterCidr);
  }

  /** Removes the jumps and the chains. */
  public void remove() {
    removeChain("nat", "POSTROUTING", CHAIN);
    removeChain("filter", "FORWARD", FORWARD_CHAIN);
  }

  private void ensureJump(String table, String from, String to) {
    List<String> jump = List.of("-w", "5", "-t", table, "-C", from, "-j", to);
    if (iptables(jump).exitCode() != 0) {
      commands.run(
          List.of("iptables", "-w", "5", "-t", table, "-I", from, "1", "-j", to), null, Map.of());
    }
  }

  private void removeChain(String table, String from, String chain) {
    while (iptables(List.of("-w", "5", "-t", table, "-D", from, "-j", chain)).exitCode() == 0) {
      // a jump inserted twice (by hand, or by a crashed older agent) is removed entirely
    }
    iptables(List.of("-w", "5", "-t", table, "-F", chain));
    iptables(List.of("-w", "5", "-t", table, "-X", chain));
  }

  private HostCommands.Result iptables(List<String> args) {
    List<String> command = new java.util.ArrayList<>();
    command.add("iptables");
    command.addAll(args);
    return commands.execute(command, null, Map.of());
  }
}
