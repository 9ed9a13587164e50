package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.ProxyMode;
import dev.skiff.proxy.ProxyOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ProxyCommandTest {

  private static ProxyOptions parse(String... args) {
    ProxyCommand command = new ProxyCommand();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  @Test
  void networkPoliciesAreEnforcedUnlessDisabled() {
    ProxyOptions defaults = parse("--kubeconfig", "k", "--node-name", "n");
    assertThat(defaults.networkPolicy()).isTrue();
    assertThat(defaults.mode()).isEqualTo(ProxyMode.IPTABLES);
    assertThat(defaults.minSyncPeriod()).isEqualTo(Duration.ofSeconds(1));

    ProxyOptions disabled =
        parse(
            "--kubeconfig",
            "k",
            "--node-name",
            "n",
            "--proxy-mode",
            "nftables",
            "--disable-network-policy");
    assertThat(disabled.networkPolicy()).isFalse();
    assertThat(disabled.mode()).isEqualTo(ProxyMode.NFTABLES);
  }
}
