package dev.skiff.kubelet.eviction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdTest {

  @Test
  void kubernetesDefaultsParse() {
    List<Threshold> defaults = Threshold.parse(Threshold.DEFAULTS);
    assertThat(defaults)
        .extracting(t -> t.signal().flagName())
        .containsExactly(
            "memory.available", "nodefs.available", "imagefs.available", "nodefs.inodesFree");
    assertThat(defaults.get(0).value(8L << 30)).isEqualTo(100L << 20);
    assertThat(defaults.get(0).describe(8L << 30)).isEqualTo("100Mi");
    assertThat(defaults.get(1).value(1000)).isEqualTo(100);
    assertThat(defaults.get(2).value(10L << 30)).isEqualTo((long) ((10L << 30) * 0.15));
    assertThat(defaults.get(1).describe(10L << 30)).isEqualTo("1Gi");
    assertThat(defaults.get(3).describe(100_000)).isEqualTo("5k");
  }

  @Test
  void badThresholdsAreRefusedWithTheReason() {
    assertThatThrownBy(() -> Threshold.parse("memory.available>1Gi"))
        .hasMessageContaining("SIGNAL<QUANTITY");
    assertThatThrownBy(() -> Threshold.parse("cpu.available<1"))
        .hasMessage("unknown eviction signal cpu.available");
    assertThatThrownBy(() -> Threshold.parse("nodefs.available<120%"))
        .hasMessageContaining("0-100%");
    assertThatThrownBy(() -> Threshold.parse("memory.available<1Gi,memory.available<2Gi"))
        .hasMessageContaining("repeated");
    assertThat(Threshold.parse("")).isEmpty();
  }

  @Test
  void quantitiesPrintAsKubernetesDoes() {
    assertThat(Quantities.binary(104857600)).isEqualTo("100Mi");
    assertThat(Quantities.binary(1536)).isEqualTo("1536");
    assertThat(Quantities.binary(0)).isEqualTo("0");
    assertThat(Quantities.decimal(5000)).isEqualTo("5k");
    assertThat(Quantities.decimal(1234)).isEqualTo("1234");
  }
}
