package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClusterIpAllocatorTest {
  @Test
  void allocatesInOrderSkippingUsedAddresses() {
    ClusterIpAllocator allocator =
        new ClusterIpAllocator("10.43.0.0/16", () -> Set.of("10.43.0.2"));
    assertThat(allocator.allocate("a")).isEqualTo("10.43.0.1");
    assertThat(allocator.allocate("a")).isEqualTo("10.43.0.3");
    assertThat(allocator.allocate("a")).isEqualTo("10.43.0.4");
  }

  @Test
  void fullRangeFails() {
    ClusterIpAllocator allocator = new ClusterIpAllocator("10.0.0.0/30", Set::of);
    assertThat(allocator.allocate("a")).isEqualTo("10.0.0.1");
    assertThat(allocator.allocate("a")).isEqualTo("10.0.0.2");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> allocator.allocate("a"))
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
    assertThat(allocator.claim("10.43.0.10", "a")).isFalse();
    assertThat(allocator.claim("10.43.0.11", "a")).isTrue();
    assertThat(allocator.claim("10.43.0.11", "b")).isFalse();
    String allocated = allocator.allocate("c");
    assertThat(allocator.claim(allocated, "c")).isTrue();
    assertThat(allocator.claim(allocated, "d")).isFalse();
  }

  @Test
  void releasedAddressesAreHandedOutAgainOnlyByTheirOwner() {
    ClusterIpAllocator allocator = new ClusterIpAllocator("10.43.0.0/29", Set::of);
    String first = allocator.allocate("create-1");
    assertThat(allocator.claim("10.43.0.5", "create-2")).isTrue();

    // another create's failure must not free what create-1 holds
    allocator.release(first, "create-3");
    assertThat(allocator.claim(first, "create-3")).isFalse();

    allocator.release(first, "create-1");
    allocator.release("10.43.0.5", "create-2");
    assertThat(allocator.claim(first, "create-4")).isTrue();
    assertThat(allocator.claim("10.43.0.5", "create-5")).isTrue();
    assertThat(allocator.holdCount()).isEqualTo(2);
  }

  @Test
  void committedHoldsRetireOnceTheCacheHasSeenTheWrite() {
    Set<String> stored = ConcurrentHashMap.newKeySet();
    AtomicLong cacheRevision = new AtomicLong(10);
    ClusterIpAllocator allocator =
        new ClusterIpAllocator("10.43.0.0/16", () -> stored, cacheRevision::get);
    String ip = allocator.allocate("svc-a");
    allocator.commit(ip, "svc-a", 11);
    // a release after the commit (it cannot happen, but must not free a stored service's IP)
    allocator.release(ip, "svc-a");
    assertThat(allocator.claim(ip, "svc-b")).isFalse();

    // the cache saw the create and, later, the delete: the address is free
    cacheRevision.set(12);
    assertThat(allocator.claim(ip, "svc-b")).isTrue();
    assertThat(allocator.holdCount()).isEqualTo(1);
  }

  @Test
  void concurrentAllocationsNeverRepeatAnAddress() throws Exception {
    ClusterIpAllocator allocator = new ClusterIpAllocator("10.43.0.0/24", Set::of);
    List<Future<String>> results = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 200; i++) {
        String owner = "create-" + i;
        results.add(
            pool.submit(
                () ->
                    i(owner) % 2 == 0
                        ? allocator.allocate(owner)
                        : (allocator.claim("10.43.0." + (1 + i(owner) % 254), owner)
                            ? "10.43.0." + (1 + i(owner) % 254)
                            : allocator.allocate(owner))));
      }
    }
    Set<String> handedOut = new HashSet<>();
    for (Future<String> result : results) {
      assertThat(handedOut.add(result.get())).as(result.get()).isTrue();
    }
    assertThat(handedOut).hasSize(200);
  }

  private static int i(String owner) {
    return Integer.parseInt(owner.substring("create-".length()));
  }
}
