package dev.skiff.kubelet.prober;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Statuses name containers "containerd://<id>", CRI by the bare id: both must match one worker. */
class ContainerIdsTest {

  @Test
  void aPrefixedAndABareIdNameTheSameContainer() {
    assertThat(ProbeManager.sameContainer("containerd://abc123", "abc123")).isTrue();
    assertThat(ProbeManager.sameContainer("abc123", "containerd://abc123")).isTrue();
    assertThat(ProbeManager.sameContainer("containerd://abc123", "containerd://abc123")).isTrue();
  }

  @Test
  void differentIdsOrNoIdDoNot() {
    assertThat(ProbeManager.sameContainer("containerd://abc123", "abc124")).isFalse();
    assertThat(ProbeManager.sameContainer(null, "abc123")).isFalse();
    assertThat(ProbeManager.sameContainer("abc123", null)).isFalse();
  }
}
