package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreScorePlugin;
import dev.skiff.scheduler.framework.Resource;
import dev.skiff.scheduler.framework.ScorePlugin;
import java.util.List;

/**
 * Favors nodes whose requested fractions of the scored resources stay close to each other after
 * placing the pod (score = (1 - standard deviation of the fractions) * 100).
 */
public final class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  public static final String NAME = "NodeResourcesBalancedAllocation";
  private final ResourceSpec[] resources;

  public NodeResourcesBalancedAllocation(List<String> resources) {
    this.resources =
        resources.stream().map(r -> new ResourceSpec(r, 1)).toArray(ResourceSpec[]::new);
  }

  public static NodeResourcesBalancedAllocation defaults() {
    return new NodeResourcesBalancedAllocation(List.of(Resource.CPU, Resource.MEMORY));
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PluginStatus preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
    for (ResourceSpec r : resources) {
      if (pod.requests().get(r.name()) != 0) {
        return PluginStatus.SUCCESS;
      }
    }
    return PluginStatus.SKIP;
  }

  @Override
  public long score(CycleState state, PodInfo pod, NodeInfo node) {
    long[] requested = new long[resources.length];
    long[] allocatable = new long[resources.length];
    ResourceAllocation.compute(node, pod, resources, false, requested, allocatable);
    double[] fractions = new double[resources.length];
    int n = 0;
    double total = 0;
    for (int i = 0; i < resources.length; i++) {
      if (allocatable[i] == 0) {
        continue;
      }
      double f = Math.min(1.0, (double) requested[i] / allocatable[i]);
      fractions[n++] = f;
      total += f;
    }
    double std = 0;
    if (n == 2) {
      std = Math.abs((fractions[0] - fractions[1]) / 2);
    } else if (n > 2) {
      double mean = total / n;
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += (fractions[i] - mean) * (fractions[i] - mean);
      }
      std = Math.sqrt(sum / n);
    }
    return (long) ((1 - std) * MAX_NODE_SCORE);
  }
}
