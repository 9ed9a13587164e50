package dev.skiff.proxy.iptables;

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

/** Applies generated rules with iptables-restore inside a fresh network namespace per test. */
class IptablesProxierIT {
  private static final ServicePortName A = new ServicePortName("default", "a", "http", "TCP");
  private static final ServicePortName B = new ServicePortName("default", "b", "http", "TCP");
  private static final Endpoint EP_A = new Endpoint("10.42.0.1", 8080, true, true, false, false);
  private static final Endpoint EP_B1 = new Endpoint("10.42.0.2", 8080, true, true, false, false);
  private static final Endpoint EP_B2 = new Endpoint("10.42.0.3", 8080, true, true, false, false);

  private TestNetns netns;

  @BeforeEach
  void createNetns() {
    netns = TestNetns.create("skiff-ipt");
  }

  @AfterEach
  void deleteNetns() {
    netns.close();
  }

  private static ProxyState both() {
    return new ProxyState(
        Map.of(
            A, ServicePortInfo.clusterIP(A, "10.43.0.1", 80),
            B, ServicePortInfo.clusterIP(B, "10.43.0.2", 80).withNodePort(30002)),
        Map.of(A, List.of(EP_A), B, List.of(EP_B1, EP_B2)));
  }

  private static ProxyState onlyA() {
    return new ProxyState(
        Map.of(A, ServicePortInfo.clusterIP(A, "10.43.0.1", 80)), Map.of(A, List.of(EP_A)));
  }

  private String natTable() {
    return netns.run("iptables-save", "-t", "nat");
  }

  @Test
  void fullSyncCreatesChainsAndJumps() {
    new IptablesProxier(netns.runner(), "10.42.0.0/16").sync(both());

    String nat = natTable();
    assertThat(nat)
        .contains(":" + ChainNames.service(A))
        .contains(":" + ChainNames.service(B))
        .contains(":" + ChainNames.external(B))
        .contains(":" + ChainNames.endpoint(B, EP_B2))
        .contains(
            "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES")
        .contains("-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\"")
        .contains("--probability 0.50000000000")
        .contains("--to-destination 10.42.0.3:8080");
    assertThat(netns.run("iptables-save", "-t", "filter"))
        .contains(
            "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD");
  }

  @Test
  void incrementalSyncRemovesChainsOfDeletedServiceAndKeepsOthers() {
    IptablesProxier proxier = new IptablesProxier(netns.runner(), "10.42.0.0/16");
    proxier.sync(both());
    proxier.sync(onlyA());

    assertThat(proxier.lastRuleSet().restoreInput()).doesNotContain(":" + ChainNames.service(A));
    String nat = natTable();
    assertThat(nat)
        .contains(":" + ChainNames.service(A))
        .contains("-j " + ChainNames.endpoint(A, EP_A))
        .doesNotContain(ChainNames.service(B))
        .doesNotContain(ChainNames.external(B))
        .doesNotContain(ChainNames.endpoint(B, EP_B1));
  }

  @Test
  void fullSyncAfterRestartLeavesNoStaleChains() {
    new IptablesProxier(netns.runner(), "10.42.0.0/16").sync(both());

    IptablesProxier restarted = new IptablesProxier(netns.runner(), "10.42.0.0/16");
    restarted.sync(onlyA());

    String nat = natTable();
    assertThat(nat).contains(":" + ChainNames.service(A));
    assertThat(nat)
        .doesNotContain(ChainNames.service(B))
        .doesNotContain(ChainNames.endpoint(B, EP_B1))
        .doesNotContain(ChainNames.endpoint(B, EP_B2));
    assertThat(nat.lines().filter(l -> l.startsWith("-A PREROUTING")).count()).isEqualTo(1);
  }

  @Test
  void serviceWithoutEndpointsIsRejectedInTheFilterTable() {
    ProxyState state =
        new ProxyState(Map.of(A, ServicePortInfo.clusterIP(A, "10.43.0.1", 80)), Map.of());
    new IptablesProxier(netns.runner(), "10.42.0.0/16").sync(state);

    assertThat(netns.run("iptables-save", "-t", "filter"))
        .contains("default/a:http has no endpoints")
        .contains("-j REJECT");
  }
}
