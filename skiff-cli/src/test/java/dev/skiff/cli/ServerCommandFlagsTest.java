package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How `skiff server` reads its security flags (kube-apiserver's spelling). */
class ServerCommandFlagsTest {
  private static ServerCommand parse(String... args) {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void anonymousAuthIsOnUnlessSetFalse() {
    assertThat(parse().anonymousAuth).isTrue();
    assertThat(parse("--anonymous-auth").anonymousAuth).isTrue();
    assertThat(parse("--anonymous-auth=true").anonymousAuth).isTrue();
    assertThat(parse("--anonymous-auth=false").anonymousAuth).isFalse();
  }

  @Test
  void disabledAdmissionPluginsAreCommaSeparated() {
    assertThat(parse().disabledAdmissionPlugins).isEmpty();
    assertThat(
            parse("--disable-admission-plugins=ServiceAccount,DefaultTolerationSeconds")
                .disabledAdmissionPlugins)
        .containsExactly("ServiceAccount", "DefaultTolerationSeconds");
  }
}
