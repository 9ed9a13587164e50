package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MasqueradeTest {
  @Test
  void masqueradesClusterTrafficLeavingTheClusterCidrOnly() {
    String rules = new Masquerade(HostCommands.current(), "10.42.0.0/16").rules();

    assertThat(rules)
        .isEqualTo(
            """
            *nat
            :SKIFF-POSTROUTING - [0:0]
            -A SKIFF-POSTROUTING -s 10.42.0.0/16 -d 10.42.0.0/16 -j RETURN
            -A SKIFF-POSTROUTING -s 10.42.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "skiff: pod \
            traffic leaving the cluster" -j MASQUERADE --random-fully
            COMMIT
            *filter
            :SKIFF-FORWARD - [0:0]
            -A SKIFF-FORWARD -s 10.42.0.0/16 -j ACCEPT
            -A SKIFF-FORWARD -d 10.42.0.0/16 -j ACCEPT
            COMMIT
            """);
  }

  @Test
  void theClusterCidrIsNormalisedAndValidated() {
    assertThat(new Masquerade(HostCommands.current(), "10.42.7.1/16").rules())
        .contains("-s 10.42.0.0/16 -d 10.42.0.0/16");
    assertThatThrownBy(() -> new Masquerade(HostCommands.current(), "10.42.0.0"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
