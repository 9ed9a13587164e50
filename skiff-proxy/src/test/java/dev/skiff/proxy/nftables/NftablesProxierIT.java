package dev.skiff.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.TestNetns;
import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Applies generated rules with nft -f inside a fresh network namespace per test. */
class NftablesProxierIT {
  private static final ServicePortName A = new ServicePortName("default", "a", "http", "TCP");
  private static final ServicePortName B = new ServicePortName("default", "b", "dns", "UDP");
  private static final ServicePortInfo INFO_A = ServicePortInfo.clusterIP(A, "10.43.0.1", 80);
  private static final ServicePortInfo INFO_B =
      ServicePortInfo.clusterIP(B, "10.43.0.2", 53).withNodePort(30053).withAffinity(60);
  private static final Endpoint EP_A = new Endpoint("10.42.0.1", 8080, true, true, false, false);
  private static final Endpoint EP_B1 = new Endpoint("10.42.0.2", 53, true, true, false, false);
  private static final Endpoint EP_B2 = new Endpoint("10.42.0.3", 53, true, true, false, false);

  private TestNetns netns;

  @BeforeEach
  void createNetns() {
    netns = TestNetns.create("skiff-nft");
  }

  @AfterEach
  void deleteNetns() {
    netns.close();
  }

  private static ProxyState both() {
    return new ProxyState(
        Map.of(A, INFO_A, B, INFO_B), Map.of(A, List.of(EP_A), B, List.of(EP_B1, EP_B2)));
  }

  private static ProxyState onlyA() {
    return new ProxyState(Map.of(A, INFO_A), Map.of(A, List.of(EP_A)));
  }

  private String table() {
    return netns.run("nft", "list", "table", "ip", NftablesRules.TABLE);
  }

  @Test
  void fullSyncCreatesTheTable() {
    new NftablesProxier(netns.runner(), "10.42.0.0/16").sync(both());

    assertThat(table())
        .contains("chain " + NftablesRules.serviceChain(INFO_A))
        .contains("chain " + NftablesRules.externalChain(INFO_B))
        .contains("set " + NftablesRules.affinitySet(INFO_B, EP_B2))
        .contains("10.43.0.1 . tcp . 80 : goto " + NftablesRules.serviceChain(INFO_A))
        .contains("udp . 30053 : goto " + NftablesRules.externalChain(INFO_B))
        .contains("numgen random mod 2")
        .contains("dnat to 10.42.0.3:53");
  }

  @Test
  void incrementalSyncRemovesDeletedServiceAndKeepsOthers() {
    NftablesProxier proxier = new NftablesProxier(netns.runner(), "10.42.0.0/16");
    proxier.sync(both());
    proxier.sync(onlyA());

    assertThat(proxier.lastRuleSet().script())
        .doesNotContain("add chain ip skiff-proxy " + NftablesRules.serviceChain(INFO_A));
    String table = table();
    assertThat(table)
        .contains("chain " + NftablesRules.serviceChain(INFO_A))
        .contains("dnat to 10.42.0.1:8080")
        .doesNotContain(NftablesRules.serviceChain(INFO_B))
        .doesNotContain(NftablesRules.endpointChain(INFO_B, EP_B1))
        .doesNotContain(NftablesRules.affinitySet(INFO_B, EP_B1))
        .doesNotContain("30053");
  }

  @Test
  void fullSyncAfterRestartLeavesNothingStale() {
    new NftablesProxier(netns.runner(), "10.42.0.0/16").sync(both());
    new NftablesProxier(netns.runner(), "10.42.0.0/16").sync(onlyA());

    assertThat(table())
        .contains("chain " + NftablesRules.serviceChain(INFO_A))
        .doesNotContain(NftablesRules.serviceChain(INFO_B))
        .doesNotContain(NftablesRules.endpointChain(INFO_B, EP_B2));
  }

  @Test
  void endpointChangeRewritesTheServiceChain() {
    NftablesProxier proxier = new NftablesProxier(netns.runner(), "10.42.0.0/16");
    proxier.sync(both());
    proxier.sync(
        new ProxyState(Map.of(A, INFO_A, B, INFO_B), Map.of(A, List.of(EP_A), B, List.of(EP_B1))));

    assertThat(table())
        .doesNotContain("numgen")
        .contains("goto " + NftablesRules.endpointChain(INFO_B, EP_B1))
        .doesNotContain(NftablesRules.endpointChain(INFO_B, EP_B2))
        .doesNotContain(NftablesRules.affinitySet(INFO_B, EP_B2));
  }
}
