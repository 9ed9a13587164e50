package dev.skiff.proxy.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.proxy.CommandRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BridgeNetfilterTest {

  /** Answers commands by their first words and records them. */
  private static final class FakeRunner implements CommandRunner {
    final List<String> commands = new ArrayList<>();
    final Function<String, Result> answer;

    FakeRunner(Function<String, Result> answer) {
      this.answer = answer;
    }

    @Override
    public Result run(List<String> command, String stdin) {
      String line = String.join(" ", command);
      commands.add(line);
      return answer.apply(line);
    }
  }

  private static final CommandRunner.Result OK = new CommandRunner.Result(0, "", "");

  @Test
  void alreadyOnChangesNothing() {
    FakeRunner runner = new FakeRunner(c -> new CommandRunner.Result(0, "1\n", ""));
    assertThat(BridgeNetfilter.enable(runner)).isTrue();
    assertThat(runner.commands).containsExactly("sysctl -n net.bridge.bridge-nf-call-iptables");
  }

  @Test
  void missingModuleIsLoadedThenTheSettingTurnedOn() {
    FakeRunner runner =
        new FakeRunner(
            c -> c.startsWith("sysctl -n") ? new CommandRunner.Result(255, "", "unknown key") : OK);
    assertThat(BridgeNetfilter.enable(runner)).isTrue();
    assertThat(runner.commands)
        .containsExactly(
            "sysctl -n net.bridge.bridge-nf-call-iptables",
            "modprobe br_netfilter",
            "sysctl -w net.bridge.bridge-nf-call-iptables=1");
  }

  @Test
  void offIsTurnedOnAndImpossibleIsReported() {
    FakeRunner off =
        new FakeRunner(c -> c.startsWith("sysctl -n") ? new CommandRunner.Result(0, "0", "") : OK);
    assertThat(BridgeNetfilter.enable(off)).isTrue();
    assertThat(off.commands).last().isEqualTo("sysctl -w net.bridge.bridge-nf-call-iptables=1");

    FakeRunner noModule = new FakeRunner(c -> new CommandRunner.Result(1, "", "not found"));
    assertThat(BridgeNetfilter.enable(noModule)).isFalse();
    assertThat(noModule.commands).hasSize(2);
  }
}
