package dev.skiff.kubelet.cri;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Statuses name containers "containerd://<id>", CRI by the bare id: both must match one worker. */
class ContainerIdsTest {

  @Test
  void aPrefixedAndABareIdNameTheSameContainer() {
    assertThat(ContainerIds.same("containerd://abc123", "abc123")).isTrue();
    assertThat(ContainerIds.same("abc123", "containerd://abc123")).isTrue();
    assertThat(ContainerIds.same("containerd://abc123", "containerd://abc123")).isTrue();
  }

  @Test
  void bothFormsConvert() {
    assertThat(ContainerIds.qualified("containerd", "abc123")).isEqualTo("containerd://abc123");
    assertThat(ContainerIds.bare("containerd://abc123")).isEqualTo("abc123");
    assertThat(ContainerIds.bare("abc123")).isEqualTo("abc123");
  }

  @Test
  void differentIdsOrNoIdDoNot() {
    assertThat(ContainerIds.same("containerd://abc123", "abc124")).isFalse();
    assertThat(ContainerIds.same(null, "abc123")).isFalse();
    assertThat(ContainerIds.same("abc123", null)).isFalse();
  }
}
