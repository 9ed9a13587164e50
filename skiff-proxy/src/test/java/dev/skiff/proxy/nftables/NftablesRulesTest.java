package dev.skiff.proxy.nftables;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.Golden;
import dev.skiff.proxy.RepresentativeServices;
import dev.skiff.proxy.state.Endpoint;
import dev.skiff.proxy.state.ProxyState;
import dev.skiff.proxy.state.ServicePortInfo;
import dev.skiff.proxy.state.ServicePortName;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NftablesRulesTest {
  private final NftablesRules rules = new NftablesRules(RepresentativeServices.CLUSTER_CIDR);

  static List<String> caseNames() {
    return RepresentativeServices.cases().stream().map(RepresentativeServices.Case::name).toList();
  }

  @ParameterizedTest
  @MethodSource("caseNames")
  void matchesGoldenRuleSet(String name) {
    ProxyState state = RepresentativeServices.byName().get(name).state();
    String actual = rules.generate(state, true, n -> true, Set.of()).script();
    assertThat(actual).isEqualTo(Golden.expect("nftables/" + name + ".nft", actual));
  }

  @Test
  void incrementalScriptRewritesOnlyChangedChainsAndDeletesStaleOnes() {
    ServicePortName a = new ServicePortName("default", "a", "http", "TCP");
    ServicePortName b = new ServicePortName("default", "b", "http", "TCP");
    ServicePortInfo infoA = ServicePortInfo.clusterIP(a, "10.43.0.1", 80);
    ServicePortInfo infoB = ServicePortInfo.clusterIP(b, "10.43.0.2", 80).withAffinity(60);
    Endpoint ep = new Endpoint("10.42.0.1", 80, true, true, false, false);
    ProxyState before =
        new ProxyState(Map.of(a, infoA, b, infoB), Map.of(a, List.of(ep), b, List.of(ep)));
    NftablesRules.RuleSet full = rules.generate(before, true, n -> true, Set.of());
    ProxyState after = new ProxyState(Map.of(a, infoA), Map.of(a, List.of(ep)));

    String incremental =
        rules.generate(after, false, n -> !after.sameAs(before, n), full.serviceObjects()).script();

    assertThat(incremental)
        .doesNotContain("delete table")
        .doesNotContain("add chain ip skiff-proxy " + NftablesRules.serviceChain(infoA))
        .contains(": goto " + NftablesRules.serviceChain(infoA))
        .contains("delete chain ip skiff-proxy " + NftablesRules.serviceChain(infoB))
        .contains("delete chain ip skiff-proxy " + NftablesRules.endpointChain(infoB, ep))
        .contains("delete set ip skiff-proxy " + NftablesRules.affinitySet(infoB, ep));
  }
}
