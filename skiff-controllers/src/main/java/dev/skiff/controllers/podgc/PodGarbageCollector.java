package dev.skiff.controllers.podgc;

import dev.skiff.client.Timestamps;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Pod garbage collection, every {@link #PERIOD}: deletes the oldest terminated pods beyond the
 * threshold, force-deletes pods bound to nodes that no longer exist (after a quarantine, so a node
 * that is only late to appear keeps its pods) and terminating pods that were never scheduled.
 */
public final class PodGarbageCollector implements Reconciler {
  public static final ObjectKey KEY = ObjectKey.clusterScoped("pod-gc");
  static final Duration PERIOD = Duration.ofSeconds(20);
  static final Duration QUARANTINE = Duration.ofSeconds(40);

  private final Indexer<Pod> pods;
  private final Indexer<Node> nodes;
  private final Consumer<Pod> forceDelete;
  private final int terminatedThreshold;
  private final InstantSource clock;
  private final Map<String, Instant> missingNodeSince = new HashMap<>();

  public PodGarbageCollector(
      Indexer<Pod> pods,
      Indexer<Node> nodes,
      Consumer<Pod> forceDelete,
      int terminatedThreshold,
      InstantSource clock) {
    this.pods = pods;
    this.nodes = nodes;
    this.forceDelete = forceDelete;
    this.terminatedThreshold = terminatedThreshold;
    this.clock = clock;
  }

  @Override
  public Result reconcile(ObjectKey key) {
    List<Pod> all = pods.list();
    collectTerminated(all);
    collectOrphaned(all);
    for (Pod pod : all) {
      if (Pods.isTerminating(pod) && nodeName(pod).isEmpty()) {
        forceDelete.accept(pod);
      }
    }
    return Result.requeueAfter(PERIOD);
  }

  private void collectTerminated(List<Pod> all) {
    if (terminatedThreshold <= 0) {
      return;
    }
    List<Pod> terminated =
        new ArrayList<>(
            all.stream()
                .filter(p -> "Succeeded".equals(Pods.phase(p)) || "Failed".equals(Pods.phase(p)))
                .toList());
    int excess = terminated.size() - terminatedThreshold;
    if (excess <= 0) {
      return;
    }
    terminated.sort(
        Comparator.comparing(
            (Pod p) ->
                Optional.ofNullable(Timestamps.parse(p.getMetadata().getCreationTimestamp()))
                    .orElse(Instant.EPOCH)));
    terminated.subList(0, excess).forEach(forceDelete);
  }

  private void collectOrphaned(List<Pod> all) {
    Instant now = clock.instant();
    Map<String, Instant> stillMissing = new HashMap<>();
    for (Pod pod : all) {
      Optional<String> node = nodeName(pod);
      if (node.isEmpty() || nodes.getByKey(node.get()) != null) {
        continue;
      }
      Instant since = missingNodeSince.getOrDefault(node.get(), now);
      stillMissing.put(node.get(), since);
      if (!now.isBefore(since.plus(QUARANTINE))) {
        forceDelete.accept(pod);
      }
    }
    missingNodeSince.clear();
    missingNodeSince.putAll(stillMissing);
  }

  private static Optional<String> nodeName(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return node == null || node.isEmpty() ? Optional.empty() : Optional.of(node);
  }
}
