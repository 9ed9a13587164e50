package dev.skiff.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How `skiff server` reads its flags (kube-apiserver's and k3s' spelling). */
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

  @Test
  void theClusterDnsIpDefaultsToTheTenthAddressOfTheServiceCidr() {
    assertThat(parse().serviceNetwork().clusterDns()).isEqualTo("10.43.0.10");
    assertThat(parse("--service-cidr", "10.96.0.0/12").serviceNetwork().clusterDns())
        .isEqualTo("10.96.0.10");
    assertThat(
            parse("--service-cidr", "10.96.0.0/12", "--cluster-dns", "10.96.0.53")
                .serviceNetwork()
                .clusterDns())
        .isEqualTo("10.96.0.53");
    assertThatThrownBy(() -> parse("--cluster-dns", "10.96.0.53").serviceNetwork())
        .hasMessageContaining("--cluster-dns 10.96.0.53 is not a host address");
  }

  @Test
  void disableIsRepeatableAndKnowsServicelb() {
    assertThat(parse().disabledControllers()).isEmpty();
    assertThat(parse("--disable", "servicelb").disabledControllers()).containsExactly("servicelb");
    assertThat(parse("--disable=servicelb", "--disable", "servicelb").disabledControllers())
        .containsExactly("servicelb");
    assertThatThrownBy(() -> parse("--disable", "traefik").disabledControllers())
        .hasMessage("--disable: unknown component traefik (skiff can disable: servicelb)");
  }
}
