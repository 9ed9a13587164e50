package dev.skiff.proxy.netpol;

import dev.skiff.proxy.CommandRunner;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies network policies with one {@code nft -f -} transaction per sync that re-creates the table
 * {@code ip skiff-netpol}, so nothing stale survives; a sync whose script equals the applied one
 * runs nothing.
 */
public final class NftablesPolicyEnforcer implements PolicyEnforcer {
  private static final Logger log = LoggerFactory.getLogger(NftablesPolicyEnforcer.class);

  private final CommandRunner runner;
  private final NftablesPolicyRules rules = new NftablesPolicyRules();
  private String appliedScript;

  public NftablesPolicyEnforcer(CommandRunner runner) {
    this.runner = runner;
  }

  @Override
  public synchronized void sync(CompiledPolicies policies) {
    String script = rules.generate(policies);
    if (script.equals(appliedScript)) {
      return;
    }
    appliedScript = null;
    CommandRunner.Result result = runner.run(List.of("nft", "-f", "-"), script);
    if (!result.ok()) {
      throw new IllegalStateException(
          "nft -f failed: exit=" + result.exitCode() + " " + result.stderr().strip());
    }
    appliedScript = script;
    log.debug(
        "network policies applied mode=nftables pods={} policies={}",
        policies.pods().size(),
        policies.policies().size());
  }

  /** The script of the last applied sync, or null. */
  public synchronized String appliedScript() {
    return appliedScript;
  }
}
