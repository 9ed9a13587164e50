package dev.skiff.proxy.iptables;

import dev.skiff.proxy.CommandRunner;
import dev.skiff.proxy.Proxier;
import dev.skiff.proxy.state.ProxyState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iptables mode: every sync is one {@code iptables-restore --noflush} transaction over the
 * filter and nat tables. The first sync (and any sync after a failure) is full: it reads the chains
 * present with {@code iptables-save} and deletes the service chains the state does not use, so a
 * restarted proxy leaves nothing stale. Later syncs rewrite only the chains of service ports whose
 * service or endpoints changed, and delete the chains those no longer use.
 */
public final class IptablesProxier implements Proxier {
  private static final Logger log = LoggerFactory.getLogger(IptablesProxier.class);

  /** The jumps from the built-in chains into ours: table, chain, rule arguments. */
  private static final List<List<String>> JUMPS =
      List.of(
          List.of(
              "filter",
              "INPUT",
              "-m",
              "conntrack",
              "--ctstate",
              "NEW",
              "-m",
              "comment",
              "--comment",
              "kubernetes externally-visible service portals",
              "-j",
              IptablesRules.KUBE_EXTERNAL_SERVICES),
          List.of(
              "filter",
              "FORWARD",
              "-m",
              "conntrack",
              "--ctstate",
              "NEW",
              "-m",
              "comment",
              "--comment",
              "kubernetes externally-visible service portals",
              "-j",
              IptablesRules.KUBE_EXTERNAL_SERVICES),
          List.of(
              "filter",
              "FORWARD",
              "-m",
              "conntrack",
              "--ctstate",
              "NEW",
              "-m",
              "comment",
              "--comment",
              "kubernetes service portals",
              "-j",
              IptablesRules.KUBE_SERVICES),
          List.of(
              "filter",
              "OUTPUT",
              "-m",
              "conntrack",
              "--ctstate",
              "NEW",
              "-m",
              "comment",
              "--comment",
              "kubernetes service portals",
              "-j",
              IptablesRules.KUBE_SERVICES),
          List.of(
              "filter",
              "FORWARD",
              "-m",
              "comment",
              "--comment",
              "kubernetes forwarding rules",
              "-j",
              IptablesRules.KUBE_FORWARD),
          List.of(
              "nat",
              "PREROUTING",
              "-m",
              "comment",
              "--comment",
              "kubernetes service portals",
              "-j",
              IptablesRules.KUBE_SERVICES),
          List.of(
              "nat",
              "OUTPUT",
              "-m",
              "comment",
              "--comment",
              "kubernetes service portals",
              "-j",
              IptablesRules.KUBE_SERVICES),
          List.of(
              "nat",
              "POSTROUTING",
              "-m",
              "comment",
              "--comment",
              "kubernetes postrouting rules",
              "-j",
              IptablesRules.KUBE_POSTROUTING));

  private final CommandRunner runner;
  private final IptablesRules rules;
  private final String iptables;
  private ProxyState applied;
  private Set<String> appliedChains = Set.of();
  private IptablesRules.RuleSet lastRuleSet;

  /** Uses the host's {@code iptables}, {@code iptables-restore} and {@code iptables-save}. */
  public IptablesProxier(CommandRunner runner, String clusterCidr) {
    this(runner, clusterCidr, "iptables");
  }

  /**
   * Uses the given iptables command and its {@code -restore} and {@code -save} companions, e.g.
   * {@code iptables-legacy} or {@code iptables-nft}.
   */
  public IptablesProxier(CommandRunner runner, String clusterCidr, String iptablesCommand) {
    this.runner = runner;
    this.rules = new IptablesRules(clusterCidr);
    this.iptables = iptablesCommand;
  }

  @Override
  public synchronized void sync(ProxyState state) {
    boolean full = applied == null;
    IptablesRules.RuleSet ruleSet;
    if (full) {
      ruleSet = rules.generate(state, name -> true, existingServiceChains());
    } else {
      ProxyState previous = applied;
      ruleSet = rules.generate(state, name -> !state.sameAs(previous, name), appliedChains);
    }
    applied = null;
    CommandRunner.Result result =
        runner.run(List.of(iptables + "-restore", "-w", "--noflush"), ruleSet.restoreInput());
    if (!result.ok()) {
      throw new IllegalStateException(
          "iptables-restore failed: exit=" + result.exitCode() + " " + result.stderr().strip());
    }
    if (full) {
      ensureJumps();
    }
    applied = state;
    appliedChains = ruleSet.serviceChains();
    lastRuleSet = ruleSet;
    log.debug(
        "iptables sync full={} services={} lines={}",
        full,
        state.services().size(),
        ruleSet.lineCount());
  }

  /** The input of the last successful sync (for diagnostics and tests). */
  public synchronized IptablesRules.RuleSet lastRuleSet() {
    return lastRuleSet;
  }

  private Set<String> existingServiceChains() {
    CommandRunner.Result saved = runner.run(List.of(iptables + "-save", "-t", "nat"), "");
    if (!saved.ok()) {
      throw new IllegalStateException("iptables-save failed: " + saved.stderr().strip());
    }
    return saved
        .stdout()
        .lines()
        .filter(l -> l.startsWith(":KUBE-"))
        .map(l -> l.substring(1, l.indexOf(' ')))
        .filter(IptablesRules::isServiceChain)
        .collect(java.util.stream.Collectors.toSet());
  }

  private void ensureJumps() {
    for (List<String> jump : JUMPS) {
      List<String> check = new ArrayList<>(List.of(iptables, "-w", "-t", jump.get(0), "-C"));
      check.addAll(jump.subList(1, jump.size()));
      if (runner.run(check, "").ok()) {
        continue;
      }
      List<String> insert = new ArrayList<>(List.of(iptables, "-w", "-t", jump.get(0), "-I"));
      insert.addAll(jump.subList(1, jump.size()));
      CommandRunner.Result result = runner.run(insert, "");
      if (!result.ok()) {
        throw new IllegalStateException(
            "iptables jump " + jump.get(1) + " failed: " + result.stderr().strip());
      }
    }
  }
}
