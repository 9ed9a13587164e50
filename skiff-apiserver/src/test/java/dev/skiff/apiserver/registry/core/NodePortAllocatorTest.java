package dev.skiff.apiserver.registry.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class NodePortAllocatorTest {

  @Test
  void allocatesInOrderSkippingStoredAndHeldPorts() {
    NodePortAllocator ports = new NodePortAllocator(() -> Set.of(30001));
    assertThat(ports.claim(30002, "a")).isTrue();
    assertThat(ports.allocate("b")).isEqualTo(30000);
    assertThat(ports.allocate("b")).isEqualTo(30003);
  }

  @Test
  void chosenPortsMustBeFreeAndComeBackWhenTheCreateFails() {
    NodePortAllocator ports = new NodePortAllocator(() -> Set.of(30080));
    assertThat(ports.claim(30080, "a")).isFalse();
    assertThat(ports.claim(30081, "a")).isTrue();
    assertThat(ports.claim(30081, "a")).isTrue();
    assertThat(ports.claim(30081, "b")).isFalse();
    ports.release(30081, "b");
    assertThat(ports.claim(30081, "b")).isFalse();
    ports.release(30081, "a");
    assertThat(ports.claim(30081, "b")).isTrue();
    assertThat(NodePortAllocator.inRange(29999)).isFalse();
    assertThat(NodePortAllocator.inRange(32767)).isTrue();
  }

  @Test
  void concurrentAllocationsNeverRepeatAPort() throws Exception {
    NodePortAllocator ports = new NodePortAllocator(Set::of);
    List<Future<Integer>> results = new ArrayList<>();
    try (var pool = Executors.newFixedThreadPool(8)) {
      for (int i = 0; i < 500; i++) {
        String owner = "create-" + i;
        results.add(pool.submit(() -> ports.allocate(owner)));
      }
    }
    Set<Integer> handedOut = new HashSet<>();
    for (Future<Integer> result : results) {
      assertThat(handedOut.add(result.get())).isTrue();
    }
    assertThat(handedOut).hasSize(500).allMatch(NodePortAllocator::inRange);
  }
}
