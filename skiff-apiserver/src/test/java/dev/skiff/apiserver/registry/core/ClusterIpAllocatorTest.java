package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterIpAllocatorTest {
  @Test
  void allocatesInOrderSkippingUsedAddresses() {
    ClusterIpAllocator allocator =
        new ClusterIpAllocator("10.43.0.0/16", () -> Set.of("10.43.0.2"));
    assertThat(allocator.allocate()).isEqualTo("10.43.0.1");
    assertThat(allocator.allocate()).isEqualTo("10.43.0.3");
    assertThat(allocator.allocate()).isEqualTo("10.43.0.4");
  }

  @Test
  void fullRangeFails() {
    ClusterIpAllocator allocator = new ClusterIpAllocator("10.0.0.0/30", Set::of);
    assertThat(allocator.allocate()).isEqualTo("10.0.0.1");
    assertThat(allocator.allocate()).isEqualTo("10.0.0.2");
    org.assertj.core.api.Assertions.assertThatThrownBy(allocator::allocate)
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void chosenAddressesMustBeInRangeAndFree() {
    ClusterIpAllocator allocator =
        new ClusterIpAllocator("10.43.0.0/16", () -> Set.of("10.43.0.10"));
    assertThat(allocator.range()).isEqualTo("10.43.0.0/16");
    assertThat(allocator.contains("10.43.200.7")).isTrue();
    assertThat(allocator.contains("10.44.0.1")).isFalse();
    assertThat(allocator.contains("10.43.0.0")).isFalse();
    assertThat(allocator.claim("10.43.0.10")).isFalse();
    assertThat(allocator.claim("10.43.0.11")).isTrue();
    assertThat(allocator.claim("10.43.0.11")).isFalse();
    String allocated = allocator.allocate();
    assertThat(allocator.claim(allocated)).isTrue();
  }
}
