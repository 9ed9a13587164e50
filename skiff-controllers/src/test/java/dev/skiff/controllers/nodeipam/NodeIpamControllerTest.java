package dev.skiff.controllers.nodeipam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeIpamControllerTest {
  private final CacheImpl<Node> nodes = new CacheImpl<>();
  private final Map<String, String> assigned = new LinkedHashMap<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(new FakeClock(), QueueMetrics.NONE);

  @AfterEach
  void close() {
    queue.close();
  }

  private NodeIpamController controller(CidrAllocator allocator) {
    return new NodeIpamController(
        nodes,
        allocator,
        (node, cidr) -> assigned.put(node.getMetadata().getName(), cidr),
        EventRecorder.NONE,
        queue);
  }

  private static Node node(String name, String podCidr) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withPodCIDR(podCidr)
        .endSpec()
        .build();
  }

  @Test
  void assignsTheLowestFreeSubnetSkippingTakenOnes() {
    NodeIpamController controller = controller(new CidrAllocator("10.42.0.0/16", 24));
    Node existing = node("old", "10.42.0.0/24");
    nodes.put(existing);
    controller.handler().onAdd(existing);
    nodes.put(node("a", null));
    nodes.put(node("b", null));

    controller.reconcile(ObjectKey.clusterScoped("a"));
    controller.reconcile(ObjectKey.clusterScoped("b"));
    controller.reconcile(ObjectKey.clusterScoped("old"));

    assertThat(assigned)
        .containsExactly(Map.entry("a", "10.42.1.0/24"), Map.entry("b", "10.42.2.0/24"));
  }

  @Test
  void anExhaustedRangeRetries() {
    NodeIpamController controller = controller(new CidrAllocator("10.42.0.0/23", 24));
    for (String name : new String[] {"a", "b", "c"}) {
      nodes.put(node(name, null));
    }
    controller.reconcile(ObjectKey.clusterScoped("a"));
    controller.reconcile(ObjectKey.clusterScoped("b"));

    assertThat(controller.reconcile(ObjectKey.clusterScoped("c"))).isEqualTo(Result.requeue());
    assertThat(assigned).hasSize(2);
  }

  @Test
  void releasedSubnetsAreReused() {
    CidrAllocator allocator = new CidrAllocator("10.42.0.0/16", 24);
    assertThat(allocator.allocate()).contains("10.42.0.0/24");
    assertThat(allocator.allocate()).contains("10.42.1.0/24");
    allocator.release("10.42.0.0/24");
    assertThat(allocator.allocate()).contains("10.42.0.0/24");
    assertThat(allocator.occupy("192.168.0.0/24")).isFalse();
  }
}
