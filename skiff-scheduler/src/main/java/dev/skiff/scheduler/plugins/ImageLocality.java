package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.ScorePlugin;
import io.fabric8.kubernetes.api.model.Container;
import java.util.List;

/**
 * Favors nodes that already hold the pod's images, weighting each image's size by how widely it is
 * spread over the cluster (so that one node holding a common image does not attract every pod).
 */
public final class ImageLocality implements ScorePlugin {
  public static final String NAME = "ImageLocality";
  static final long MB = 1024L * 1024;
  static final long MIN_THRESHOLD = 23 * MB;
  static final long MAX_CONTAINER_THRESHOLD = 1000 * MB;
  private final Handle handle;

  public ImageLocality(Handle handle) {
    this.handle = handle;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public long score(CycleState state, PodInfo pod, NodeInfo node) {
    int totalNodes = handle.snapshot().nodes().size();
    List<Container> containers = pod.pod().getSpec().getContainers();
    List<Container> inits = pod.pod().getSpec().getInitContainers();
    int count = (containers == null ? 0 : containers.size()) + (inits == null ? 0 : inits.size());
    long sum =
        sumImageScores(node, containers, totalNodes) + sumImageScores(node, inits, totalNodes);
    long maxThreshold = MAX_CONTAINER_THRESHOLD * count;
    if (sum < MIN_THRESHOLD) {
      sum = MIN_THRESHOLD;
    } else if (sum > maxThreshold) {
      sum = maxThreshold;
    }
    if (maxThreshold <= MIN_THRESHOLD) {
      return 0;
    }
    return MAX_NODE_SCORE * (sum - MIN_THRESHOLD) / (maxThreshold - MIN_THRESHOLD);
  }

  private long sumImageScores(NodeInfo node, List<Container> containers, int totalNodes) {
    if (containers == null || totalNodes == 0) {
      return 0;
    }
    long sum = 0;
    for (Container c : containers) {
      if (c.getImage() == null) {
        continue;
      }
      String image = NodeInfo.normalizeImageName(c.getImage());
      Long size = node.imageSizes().get(image);
      if (size != null) {
        double spread = (double) handle.snapshot().imageNodeCount(image) / totalNodes;
        sum += (long) (size * spread);
      }
    }
    return sum;
  }
}
