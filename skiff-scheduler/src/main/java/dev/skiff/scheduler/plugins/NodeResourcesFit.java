package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.ClusterEvent;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.EnqueueExtensions;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.Resource;
import dev.skiff.scheduler.framework.ScorePlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rejects nodes without enough allocatable resources left (cpu, memory, ephemeral-storage, pods,
 * extended resources) and scores the rest by the configured strategy.
 */
public final class NodeResourcesFit implements FilterPlugin, ScorePlugin, EnqueueExtensions {
  public static final String NAME = "NodeResourcesFit";

  /** The scoring strategy of NodeResourcesFitArgs. */
  public enum StrategyType {
    LeastAllocated,
    MostAllocated,
    RequestedToCapacityRatio
  }

  /** A point of the RequestedToCapacityRatio shape: utilization 0..100 to score 0..10. */
  public record ShapePoint(long utilization, long score) {}

  private final Set<String> ignoredResources;
  private final Set<String> ignoredResourceGroups;
  private final StrategyType strategy;
  private final ResourceSpec[] resources;
  private final List<ShapePoint> shape;

  public NodeResourcesFit(
      Set<String> ignoredResources,
      Set<String> ignoredResourceGroups,
      StrategyType strategy,
      Map<String, Long> resourceWeights,
      List<ShapePoint> shape) {
    this.ignoredResources = Set.copyOf(ignoredResources);
    this.ignoredResourceGroups = Set.copyOf(ignoredResourceGroups);
    this.strategy = strategy;
    List<ResourceSpec> specs = new ArrayList<>();
    resourceWeights.forEach((k, v) -> specs.add(new ResourceSpec(k, v)));
    this.resources = specs.toArray(ResourceSpec[]::new);
    List<ShapePoint> scaled = new ArrayList<>();
    for (ShapePoint p : shape) {
      scaled.add(new ShapePoint(p.utilization(), p.score() * (MAX_NODE_SCORE / 10)));
    }
    this.shape = List.copyOf(scaled);
  }

  /** The default: LeastAllocated over cpu and memory, weight 1 each. */
  public static NodeResourcesFit defaults() {
    return new NodeResourcesFit(
        Set.of(),
        Set.of(),
        StrategyType.LeastAllocated,
        orderedWeights(Resource.CPU, 1L, Resource.MEMORY, 1L),
        List.of());
  }

  static Map<String, Long> orderedWeights(String r1, long w1, String r2, long w2) {
    Map<String, Long> m = new java.util.LinkedHashMap<>();
    m.put(r1, w1);
    m.put(r2, w2);
    return m;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
    List<String> reasons = null;
    boolean unresolvable = false;
    Resource alloc = node.allocatable();
    Resource used = node.requested();
    if (node.pods().size() + 1 > alloc.allowedPodNumber) {
      reasons = new ArrayList<>(2);
      reasons.add("Too many pods");
    }
    Resource req = pod.requests();
    if (req.milliCpu > 0 && req.milliCpu > alloc.milliCpu - used.milliCpu) {
      reasons = add(reasons, "Insufficient cpu");
      unresolvable |= req.milliCpu > alloc.milliCpu;
    }
    if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
      reasons = add(reasons, "Insufficient memory");
      unresolvable |= req.memory > alloc.memory;
    }
    if (req.ephemeralStorage > 0
        && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
      reasons = add(reasons, "Insufficient ephemeral-storage");
      unresolvable |= req.ephemeralStorage > alloc.ephemeralStorage;
    }
    for (Map.Entry<String, Long> e : req.scalarResources().entrySet()) {
      String r = e.getKey();
      long want = e.getValue();
      if (want == 0 || ignored(r)) {
        continue;
      }
      if (want > alloc.get(r) - used.get(r)) {
        reasons = add(reasons, "Insufficient " + r);
        unresolvable |= want > alloc.get(r);
      }
    }
    if (reasons == null) {
      return PluginStatus.SUCCESS;
    }
    String[] r = reasons.toArray(String[]::new);
    return unresolvable ? PluginStatus.unresolvable(r) : PluginStatus.unschedulable(r);
  }

  private boolean ignored(String resource) {
    if (ignoredResources.contains(resource)) {
      return true;
    }
    int slash = resource.indexOf('/');
    return slash > 0 && ignoredResourceGroups.contains(resource.substring(0, slash));
  }

  private static List<String> add(List<String> reasons, String reason) {
    List<String> out = reasons == null ? new ArrayList<>(2) : reasons;
    out.add(reason);
    return out;
  }

  @Override
  public long score(CycleState state, PodInfo pod, NodeInfo node) {
    long[] requested = new long[resources.length];
    long[] allocatable = new long[resources.length];
    ResourceAllocation.compute(node, pod, resources, true, requested, allocatable);
    long nodeScore = 0;
    long weightSum = 0;
    for (int i = 0; i < resources.length; i++) {
      if (allocatable[i] == 0) {
        continue;
      }
      long w = resources[i].weight();
      long s =
          switch (strategy) {
            case LeastAllocated -> leastRequested(requested[i], allocatable[i]);
            case MostAllocated -> mostRequested(requested[i], allocatable[i]);
            case RequestedToCapacityRatio -> ratioScore(requested[i], allocatable[i]);
          };
      if (strategy == StrategyType.RequestedToCapacityRatio && s <= 0) {
        continue;
      }
      nodeScore += s * w;
      weightSum += w;
    }
    if (weightSum == 0) {
      return 0;
    }
    if (strategy == StrategyType.RequestedToCapacityRatio) {
      return Math.round((double) nodeScore / weightSum);
    }
    return nodeScore / weightSum;
  }

  static long leastRequested(long requested, long capacity) {
    if (capacity == 0 || requested > capacity) {
      return 0;
    }
    return (capacity - requested) * MAX_NODE_SCORE / capacity;
  }

  static long mostRequested(long requested, long capacity) {
    if (capacity == 0) {
      return 0;
    }
    return Math.min(requested, capacity) * MAX_NODE_SCORE / capacity;
  }

  private long ratioScore(long requested, long capacity) {
    if (capacity == 0 || requested > capacity) {
      return brokenLinear(100);
    }
    return brokenLinear(requested * 100 / capacity);
  }

  private long brokenLinear(long p) {
    for (int i = 0; i < shape.size(); i++) {
      ShapePoint s = shape.get(i);
      if (p <= s.utilization()) {
        if (i == 0) {
          return s.score();
        }
        ShapePoint prev = shape.get(i - 1);
        return prev.score()
            + (s.score() - prev.score())
                * (p - prev.utilization())
                / (s.utilization() - prev.utilization());
      }
    }
    return shape.get(shape.size() - 1).score();
  }

  @Override
  public Set<ClusterEvent> eventsToRegister() {
    return Set.of(
        ClusterEvent.ASSIGNED_POD_DELETE,
        ClusterEvent.ASSIGNED_POD_UPDATE,
        ClusterEvent.NODE_ADD,
        ClusterEvent.NODE_UPDATE,
        ClusterEvent.UNSCHEDULABLE_POD_UPDATE);
  }
}
