package dev.skiff.proxy.netpol;

import dev.skiff.proxy.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies network policies with one {@code iptables-restore --noflush} transaction per sync. The
 * first sync (and any after a failure) reads the chains present with {@code iptables-save}, so
 * chains a previous run left are deleted, and makes sure FORWARD and INPUT jump to ours first. A
 * sync whose rules equal the applied ones runs nothing.
 */
public final class IptablesPolicyEnforcer implements PolicyEnforcer {
  private static final Logger log = LoggerFactory.getLogger(IptablesPolicyEnforcer.class);

  /** The jumps from built-in chains, always first in them: chain and target. */
  private static final List<List<String>> JUMPS =
      List.of(
          List.of("FORWARD", IptablesPolicyRules.NETPOL, "network policies"),
          List.of("INPUT", IptablesPolicyRules.EGRESS, "network policy egress to this node"));

  private final CommandRunner runner;
  private final String iptables;
  private final IptablesPolicyRules rules = new IptablesPolicyRules();
  private Set<String> appliedChains;
  private String appliedInput;

  public IptablesPolicyEnforcer(CommandRunner runner) {
    this(runner, "iptables");
  }

  /** Uses {@code iptablesCommand} and its {@code -save} and {@code -restore} companions. */
  public IptablesPolicyEnforcer(CommandRunner runner, String iptablesCommand) {
    this.runner = runner;
    this.iptables = iptablesCommand;
  }

  @Override
  public synchronized void sync(CompiledPolicies policies) {
    boolean full = appliedChains == null;
    Set<String> stale = full ? existingChains() : appliedChains;
    IptablesPolicyRules.RuleSet ruleSet = rules.generate(policies, stale);
    if (!full && ruleSet.restoreInput().equals(appliedInput)) {
      return;
    }
    appliedChains = null;
    CommandRunner.Result result =
        runner.run(List.of(iptables + "-restore", "-w", "--noflush"), ruleSet.restoreInput());
    if (!result.ok()) {
      throw new IllegalStateException(
          "iptables-restore failed: exit=" + result.exitCode() + " " + result.stderr().strip());
    }
    if (full) {
      ensureJumps();
    }
    appliedChains = ruleSet.chains();
    appliedInput = ruleSet.restoreInput();
    log.debug(
        "network policies applied mode=iptables full={} pods={} policies={}",
        full,
        policies.pods().size(),
        policies.policies().size());
  }

  /** The input of the last applied sync, or null. */
  public synchronized String appliedInput() {
    return appliedInput;
  }

  private Set<String> existingChains() {
    CommandRunner.Result saved = runner.run(List.of(iptables + "-save", "-t", "filter"), "");
    if (!saved.ok()) {
      throw new IllegalStateException("iptables-save failed: " + saved.stderr().strip());
    }
    return saved
        .stdout()
        .lines()
        .filter(l -> l.startsWith(":SKIFF-NP"))
        .map(l -> l.substring(1, l.indexOf(' ')))
        .filter(IptablesPolicyRules::isOwnChain)
        .collect(Collectors.toSet());
  }

  private void ensureJumps() {
    for (List<String> jump : JUMPS) {
      List<String> rule = List.of("-m", "comment", "--comment", jump.get(2), "-j", jump.get(1));
      List<String> check =
          new ArrayList<>(List.of(iptables, "-w", "-t", "filter", "-C", jump.get(0)));
      check.addAll(rule);
      if (runner.run(check, "").ok()) {
        continue;
      }
      List<String> insert =
          new ArrayList<>(List.of(iptables, "-w", "-t", "filter", "-I", jump.get(0), "1"));
      insert.addAll(rule);
      CommandRunner.Result result = runner.run(insert, "");
      if (!result.ok()) {
        throw new IllegalStateException(
            "iptables jump " + jump.get(0) + " failed: " + result.stderr().strip());
      }
    }
  }
}
