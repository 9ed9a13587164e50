package dev.skiff.kubelet.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
  @Test
  void parsesNormalisesAndContains() {
    Cidr cidr = Cidr.parse("10.42.1.7/24");
    assertThat(cidr.toString()).isEqualTo("10.42.1.0/24");
    assertThat(cidr.contains("10.42.1.255")).isTrue();
    assertThat(cidr.contains("10.42.2.1")).isFalse();
    assertThat(cidr.address(1)).isEqualTo("10.42.1.1");
    assertThat(Cidr.parse("0.0.0.0/0").contains("192.168.1.1")).isTrue();
    assertThat(Cidr.parse("10.42.0.0/16").contains("10.42.200.3")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.42.0.0",
        "10.42.0/16",
        "10.42.0.256/24",
        "10.42.0.0/33",
        "a.b.c.d/8",
        "::1/128"
      })
  void refusesMalformedBlocks(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
