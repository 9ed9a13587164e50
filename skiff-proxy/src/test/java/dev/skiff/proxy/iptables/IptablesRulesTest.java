package dev.skiff.proxy.iptables;

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

class IptablesRulesTest {
  private final IptablesRules rules = new IptablesRules(RepresentativeServices.CLUSTER_CIDR);

  static List<String> caseNames() {
    return RepresentativeServices.cases().stream().map(RepresentativeServices.Case::name).toList();
  }

  @ParameterizedTest
  @MethodSource("caseNames")
  void matchesGoldenRuleSet(String name) {
    ProxyState state = RepresentativeServices.byName().get(name).state();
    String actual = rules.generate(state, n -> true, Set.of()).restoreInput();
    assertThat(actual).isEqualTo(Golden.expect("iptables/" + name + ".rules", actual));
  }

  @Test
  void chainNamesHashLikeKubeProxy() {
    assertThat(ChainNames.service(new ServicePortName("default", "kubernetes", "https", "TCP")))
        .isEqualTo("KUBE-SVC-NPX46M4PTMTKRN6Y");
    assertThat(ChainNames.service(new ServicePortName("kube-system", "kube-dns", "dns", "UDP")))
        .isEqualTo("KUBE-SVC-TCOU7JCQXEZGVUNU");
    assertThat(ChainNames.service(new ServicePortName("default", "nginx", "", "TCP")))
        .isEqualTo("KUBE-SVC-2CMXP7HKUVJN7L6M");
  }

  @Test
  void probabilityHasTenDecimals() {
    assertThat(IptablesRules.probability(3)).isEqualTo("0.3333333333");
    assertThat(IptablesRules.probability(2)).isEqualTo("0.5000000000");
  }

  @Test
  void incrementalOutputSkipsUnchangedServiceChainsAndDeletesStaleOnes() {
    ServicePortName a = new ServicePortName("default", "a", "http", "TCP");
    ServicePortName b = new ServicePortName("default", "b", "http", "TCP");
    Endpoint epA = new Endpoint("10.42.0.1", 80, true, true, false, false);
    Endpoint epB = new Endpoint("10.42.0.2", 80, true, true, false, false);
    ProxyState before =
        new ProxyState(
            Map.of(
                a, ServicePortInfo.clusterIP(a, "10.43.0.1", 80),
                b, ServicePortInfo.clusterIP(b, "10.43.0.2", 80)),
            Map.of(a, List.of(epA), b, List.of(epB)));
    IptablesRules.RuleSet full = rules.generate(before, n -> true, Set.of());
    ProxyState after =
        new ProxyState(
            Map.of(a, ServicePortInfo.clusterIP(a, "10.43.0.1", 80)), Map.of(a, List.of(epA)));

    String incremental =
        rules.generate(after, n -> !after.sameAs(before, n), full.serviceChains()).restoreInput();

    assertThat(incremental)
        .doesNotContain(":" + ChainNames.service(a))
        .contains("-j " + ChainNames.service(a))
        .contains("-X " + ChainNames.service(b))
        .contains("-X " + ChainNames.endpoint(b, epB));
  }
}
