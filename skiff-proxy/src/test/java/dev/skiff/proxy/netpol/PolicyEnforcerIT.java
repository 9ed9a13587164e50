package dev.skiff.proxy.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.Golden;
import dev.skiff.proxy.TestNetns;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The enforcers and the golden rule sets against real iptables and nft in a test netns. */
class PolicyEnforcerIT {
  private TestNetns netns;

  @BeforeEach
  void createNetns() {
    netns = TestNetns.create("skiff-npe");
  }

  @AfterEach
  void deleteNetns() {
    netns.close();
  }

  private static CompiledPolicies denyAllInDefault() {
    return new NetworkPolicyCompiler("node-a")
        .compile(
            PolicyFixtures.PODS,
            PolicyFixtures.NAMESPACES,
            List.of(PolicyFixtures.policy("default", "deny-all", new LabelSelector()).build()));
  }

  @Test
  void everyGoldenRuleSetApplies() {
    for (PolicyFixtures.Case c : PolicyFixtures.representative()) {
      assertThat(
              netns
                  .runner()
                  .run(
                      List.of("iptables-restore", "-w", "--noflush"),
                      Golden.read("netpol/" + c.name() + ".rules"))
                  .ok())
          .as(c.name() + ".rules")
          .isTrue();
      assertThat(
              netns
                  .runner()
                  .run(List.of("nft", "-f", "-"), Golden.read("netpol/" + c.name() + ".nft"))
                  .ok())
          .as(c.name() + ".nft")
          .isTrue();
    }
  }

  @Test
  void iptablesRestartLeavesNoStaleChainsAndOneJump() {
    new IptablesPolicyEnforcer(netns.runner()).sync(denyAllInDefault());
    String before = netns.run("iptables-save", "-t", "filter");
    String podChain = IptablesPolicyRules.podChain(Direction.INGRESS, "default", "web-1");
    assertThat(before)
        .contains(":" + podChain)
        .contains("-A FORWARD -m comment --comment \"network policies\" -j SKIFF-NETPOL")
        .contains(
            "-A INPUT -m comment --comment \"network policy egress to this node\" -j SKIFF-NETPOL-EGRESS");

    IptablesPolicyEnforcer restarted = new IptablesPolicyEnforcer(netns.runner());
    restarted.sync(CompiledPolicies.empty());

    String after = netns.run("iptables-save", "-t", "filter");
    assertThat(after).doesNotContain(podChain).doesNotContain("SKIFF-NPI-");
    assertThat(
            after
                .lines()
                .filter(l -> l.startsWith("-A FORWARD -m comment --comment \"network policies\"")))
        .hasSize(1);
  }

  @Test
  void iptablesIncrementalSyncDeletesChainsOfRemovedPolicies() {
    IptablesPolicyEnforcer enforcer = new IptablesPolicyEnforcer(netns.runner());
    enforcer.sync(denyAllInDefault());
    String applied = enforcer.appliedInput();
    enforcer.sync(denyAllInDefault());
    assertThat(enforcer.appliedInput()).isSameAs(applied);

    enforcer.sync(CompiledPolicies.empty());

    assertThat(enforcer.appliedInput())
        .contains(
            "-X " + IptablesPolicyRules.policyChain(Direction.INGRESS, "default", "deny-all"));
    assertThat(netns.run("iptables-save", "-t", "filter"))
        .doesNotContain("SKIFF-NPP")
        .doesNotContain("SKIFF-NPI-");
  }

  @Test
  void nftablesReplacesItsTable() {
    NftablesPolicyEnforcer enforcer = new NftablesPolicyEnforcer(netns.runner());
    enforcer.sync(denyAllInDefault());
    assertThat(netns.run("nft", "list", "table", "ip", NftablesPolicyRules.TABLE))
        .contains("chain ingress-pod-default/web-1")
        .contains("ip daddr 10.42.0.10 jump ingress-pod-default/web-1");

    new NftablesPolicyEnforcer(netns.runner()).sync(CompiledPolicies.empty());

    assertThat(netns.run("nft", "list", "table", "ip", NftablesPolicyRules.TABLE))
        .doesNotContain("web-1")
        .contains("chain forward-ingress");
  }
}
