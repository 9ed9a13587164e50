package dev.skiff.proxy.netpol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CidrsTest {

  @Test
  void subtractSplitsAroundTheHole() {
    assertThat(Cidrs.subtract("10.0.0.0/8", List.of("10.0.0.0/10")))
        .containsExactly("10.64.0.0/10", "10.128.0.0/9");
    assertThat(Cidrs.subtract("192.168.0.0/24", List.of("192.168.0.128/26")))
        .containsExactly("192.168.0.0/25", "192.168.0.192/26");
  }

  @Test
  void subtractSeveralHolesAndCoveredBlocks() {
    assertThat(Cidrs.subtract("10.0.0.0/30", List.of("10.0.0.1/32", "10.0.0.2/32")))
        .containsExactly("10.0.0.0/32", "10.0.0.3/32");
    assertThat(Cidrs.subtract("10.1.0.0/16", List.of("10.0.0.0/8"))).isEmpty();
    assertThat(Cidrs.subtract("10.1.0.0/16", List.of("11.0.0.0/8"))).containsExactly("10.1.0.0/16");
  }

  @Test
  void hostBitsAreClearedAndContainmentHonoursExcepts() {
    assertThat(Cidrs.parse("10.1.2.3/16").toString()).isEqualTo("10.1.0.0/16");
    assertThat(Cidrs.parse("0.0.0.0/0").contains(Cidrs.parseAddress("8.8.8.8"))).isTrue();
    assertThat(Cidrs.contains("10.0.0.0/8", List.of("10.42.0.0/16"), "10.43.0.1")).isTrue();
    assertThat(Cidrs.contains("10.0.0.0/8", List.of("10.42.0.0/16"), "10.42.0.1")).isFalse();
    assertThat(Cidrs.isIpv4("fd00::1")).isFalse();
  }
}
