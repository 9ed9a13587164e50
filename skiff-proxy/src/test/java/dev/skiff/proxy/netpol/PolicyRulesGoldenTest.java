package dev.skiff.proxy.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.Golden;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden rule sets of representative policies for node-a, in both renderers. */
class PolicyRulesGoldenTest {
  private final NetworkPolicyCompiler compiler = new NetworkPolicyCompiler("node-a");

  static List<PolicyFixtures.Case> cases() {
    return PolicyFixtures.representative();
  }

  private CompiledPolicies compile(PolicyFixtures.Case c) {
    return compiler.compile(PolicyFixtures.PODS, PolicyFixtures.NAMESPACES, c.policies());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void iptablesMatchesGolden(PolicyFixtures.Case c) {
    String actual = new IptablesPolicyRules().generate(compile(c), Set.of()).restoreInput();
    assertThat(actual).isEqualTo(Golden.expect("netpol/" + c.name() + ".rules", actual));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void nftablesMatchesGolden(PolicyFixtures.Case c) {
    String actual = new NftablesPolicyRules().generate(compile(c));
    assertThat(actual).isEqualTo(Golden.expect("netpol/" + c.name() + ".nft", actual));
  }
}
