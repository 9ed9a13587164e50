package dev.skiff.kubelet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
  record Case(String name, String input, String expected) {}

  static Case[] cases() {
    return new Case[] {
      new Case("official image", "busybox", "docker.io/library/busybox:latest"),
      new Case("official image with tag", "busybox:1.36", "docker.io/library/busybox:1.36"),
      new Case("docker hub user", "someone/tool:2", "docker.io/someone/tool:2"),
      new Case("registry with dot", "skiff.local/pause:3.10", "skiff.local/pause:3.10"),
      new Case("registry with port", "127.0.0.1:5000/app", "127.0.0.1:5000/app:latest"),
      new Case("localhost", "localhost/app:v1", "localhost/app:v1"),
      new Case("nested path", "quay.io/a/b/c:x", "quay.io/a/b/c:x"),
    };
  }

  @ParameterizedTest
  @MethodSource("cases")
  void normalisesLikeDocker(Case c) {
    assertThat(ImageReference.parse(c.input()).toString()).isEqualTo(c.expected());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "app@sha256:abc", "a b"})
  void rejectsWhatIsNotATaggedReference(String input) {
    assertThatThrownBy(() -> ImageReference.parse(input))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
