package dev.skiff.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every golden rule set is accepted by the real iptables-restore and nft, in a fresh netns. */
class GoldenRulesApplyIT {

  static List<String> caseNames() {
    return RepresentativeServices.cases().stream().map(RepresentativeServices.Case::name).toList();
  }

  @ParameterizedTest
  @MethodSource("caseNames")
  void goldenRuleSetsApply(String name) {
    try (TestNetns netns = TestNetns.create("skiff-golden")) {
      CommandRunner.Result iptables =
          netns
              .runner()
              .run(
                  List.of("iptables-restore", "-w", "--noflush"),
                  Golden.read("iptables/" + name + ".rules"));
      assertThat(iptables.ok()).as(iptables.stderr()).isTrue();
      assertThat(netns.run("iptables-save", "-t", "nat")).contains(":KUBE-SERVICES");

      CommandRunner.Result nft =
          netns.runner().run(List.of("nft", "-f", "-"), Golden.read("nftables/" + name + ".nft"));
      assertThat(nft.ok()).as(nft.stderr()).isTrue();
      assertThat(netns.run("nft", "list", "table", "ip", "skiff-proxy")).contains("chain services");
    }
  }
}
