package dev.skiff.proxy.nftables;

import dev.skiff.proxy.CommandRunner;
import dev.skiff.proxy.Proxier;
import dev.skiff.proxy.state.ProxyState;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nftables mode: every sync is one {@code nft -f -} transaction on the table {@code ip
 * skiff-proxy}. The first sync (and any after a failure) re-creates the table, so nothing stale
 * survives a restart; later syncs rewrite only the changed service ports' chains.
 */
public final class NftablesProxier implements Proxier {
  private static final Logger log = LoggerFactory.getLogger(NftablesProxier.class);

  private final CommandRunner runner;
  private final NftablesRules rules;
  private ProxyState applied;
  private Set<String> appliedObjects = Set.of();
  private NftablesRules.RuleSet lastRuleSet;

  public NftablesProxier(CommandRunner runner, String clusterCidr) {
    this.runner = runner;
    this.rules = new NftablesRules(clusterCidr);
  }

  @Override
  public synchronized void sync(ProxyState state) {
    ProxyState previous = applied;
    boolean full = previous == null;
    NftablesRules.RuleSet ruleSet =
        rules.generate(state, full, name -> full || !state.sameAs(previous, name), appliedObjects);
    applied = null;
    CommandRunner.Result result = runner.run(List.of("nft", "-f", "-"), ruleSet.script());
    if (!result.ok()) {
      throw new IllegalStateException(
          "nft -f failed: exit=" + result.exitCode() + " " + result.stderr().strip());
    }
    applied = state;
    appliedObjects = ruleSet.serviceObjects();
    lastRuleSet = ruleSet;
    log.debug(
        "nft sync full={} services={} lines={}",
        full,
        state.services().size(),
        ruleSet.lineCount());
  }

  /** The input of the last successful sync. */
  public synchronized NftablesRules.RuleSet lastRuleSet() {
    return lastRuleSet;
  }
}
