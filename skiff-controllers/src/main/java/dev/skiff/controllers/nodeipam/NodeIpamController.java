package dev.skiff.controllers.nodeipam;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.Optional;
import java.util.function.BiConsumer;

/** Gives every node a podCIDR from the cluster CIDR (spec.podCIDR and spec.podCIDRs). */
public final class NodeIpamController implements Reconciler {
  private final Indexer<Node> nodes;
  private final CidrAllocator allocator;
  private final BiConsumer<Node, String> setPodCidr;
  private final EventRecorder recorder;
  private final RateLimitingQueue<ObjectKey> queue;

  public NodeIpamController(
      Indexer<Node> nodes,
      CidrAllocator allocator,
      BiConsumer<Node, String> setPodCidr,
      EventRecorder recorder,
      RateLimitingQueue<ObjectKey> queue) {
    this.nodes = nodes;
    this.allocator = allocator;
    this.setPodCidr = setPodCidr;
    this.recorder = recorder;
    this.queue = queue;
  }

  public ResourceEventHandler<Node> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        occupy(node);
        queue.add(ObjectKey.clusterScoped(node.getMetadata().getName()));
      }

      @Override
      public void onUpdate(Node o, Node node) {
        occupy(node);
        if (podCidr(node).isEmpty()) {
          queue.add(ObjectKey.clusterScoped(node.getMetadata().getName()));
        }
      }

      @Override
      public void onDelete(Node node, boolean unknown) {
        podCidr(node).ifPresent(allocator::release);
      }
    };
  }

  private void occupy(Node node) {
    podCidr(node).ifPresent(allocator::occupy);
  }

  static Optional<String> podCidr(Node node) {
    String cidr = node.getSpec() == null ? null : node.getSpec().getPodCIDR();
    return cidr == null || cidr.isEmpty() ? Optional.empty() : Optional.of(cidr);
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Node node = nodes.getByKey(key.name());
    if (node == null || podCidr(node).isPresent()) {
      return Result.done();
    }
    Optional<String> cidr = allocator.allocate();
    if (cidr.isEmpty()) {
      recorder.event(
          node,
          EventRecorder.NORMAL,
          "CIDRNotAvailable",
          "Node " + node.getMetadata().getName() + " status is now: CIDRNotAvailable");
      return Result.requeue();
    }
    try {
      setPodCidr.accept(node, cidr.get());
    } catch (RuntimeException e) {
      allocator.release(cidr.get());
      throw e;
    }
    return Result.done();
  }
}
