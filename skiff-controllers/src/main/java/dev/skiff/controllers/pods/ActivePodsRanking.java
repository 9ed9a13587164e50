package dev.skiff.controllers.pods;

import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which a ReplicaSet deletes surplus pods, first to go first, as Kubernetes ranks
 * them: unscheduled before scheduled; Pending before Unknown before Running; not ready before
 * ready; lower pod-deletion-cost first; pods doubled up on a node first; more recently ready first;
 * more restarts first; newer first. Time comparisons use logarithmic buckets (Kubernetes'
 * LogarithmicScaleDown), so pods of similar age count as equal.
 */
public final class ActivePodsRanking implements Comparator<Pod> {
  public static final String DELETION_COST_ANNOTATION =
      "controller.kubernetes.io/pod-deletion-cost";

  private final Map<String, Integer> podsOnSameNode;
  private final Instant now;

  /**
   * @param podsOnSameNode for each pod uid, how many related active pods share its node (the "rank"
   *     Kubernetes uses to spread deletions)
   * @param now the time durations are measured against
   */
  public ActivePodsRanking(Map<String, Integer> podsOnSameNode, Instant now) {
    this.podsOnSameNode = Map.copyOf(podsOnSameNode);
    this.now = now;
  }

  /** The pods to delete: the first count of the ranked list. */
  public static List<Pod> podsToDelete(
      List<Pod> filteredPods, List<Pod> relatedPods, int count, Instant now) {
    Map<String, Integer> onNode = new HashMap<>();
    Map<String, Integer> perNode = new HashMap<>();
    for (Pod related : relatedPods) {
      if (Pods.isActive(related) && nodeName(related) != null) {
        perNode.merge(nodeName(related), 1, Integer::sum);
      }
    }
    for (Pod pod : filteredPods) {
      String node = nodeName(pod);
      onNode.put(uidOf(pod), node == null ? 0 : perNode.getOrDefault(node, 0));
    }
    return filteredPods.stream()
        .sorted(new ActivePodsRanking(onNode, now))
        .limit(Math.max(0, count))
        .toList();
  }

  @Override
  public int compare(Pod a, Pod b) {
    boolean aScheduled = nodeName(a) != null;
    boolean bScheduled = nodeName(b) != null;
    if (aScheduled != bScheduled) {
      return aScheduled ? 1 : -1;
    }
    int byPhase = Integer.compare(phaseRank(a), phaseRank(b));
    if (byPhase != 0) {
      return byPhase;
    }
    boolean aReady = Pods.isReady(a);
    boolean bReady = Pods.isReady(b);
    if (aReady != bReady) {
      return aReady ? 1 : -1;
    }
    int byCost = Integer.compare(deletionCost(a), deletionCost(b));
    if (byCost != 0) {
      return byCost;
    }
    int byDoubling =
        Integer.compare(
            podsOnSameNode.getOrDefault(uidOf(b), 0), podsOnSameNode.getOrDefault(uidOf(a), 0));
    if (byDoubling != 0) {
      return byDoubling;
    }
    if (aReady && bReady) {
      int byReadyTime = compareAgeBuckets(Pods.readySince(a), Pods.readySince(b));
      if (byReadyTime != 0) {
        return byReadyTime;
      }
    }
    int byRestarts = Integer.compare(maxRestarts(b), maxRestarts(a));
    if (byRestarts != 0) {
      return byRestarts;
    }
    return compareAgeBuckets(
        Timestamps.parse(a.getMetadata().getCreationTimestamp()),
        Timestamps.parse(b.getMetadata().getCreationTimestamp()));
  }

  /** Negative when a is newer (in a lower log2 bucket of age); a missing time counts as newest. */
  private int compareAgeBuckets(Instant a, Instant b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return Integer.compare(ageBucket(a), ageBucket(b));
  }

  private int ageBucket(Instant since) {
    long seconds = Math.max(0, Duration.between(since, now).getSeconds());
    // floor(log2(seconds + 1)): 0s, 1s, 2-3s, 4-7s, ...
    return 63 - Long.numberOfLeadingZeros(seconds + 1);
  }

  private static int phaseRank(Pod pod) {
    return switch (Pods.phase(pod)) {
      case "Pending" -> 0;
      case "Unknown" -> 1;
      case "Running" -> 2;
      default -> 3;
    };
  }

  private static int deletionCost(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations == null || !annotations.containsKey(DELETION_COST_ANNOTATION)) {
      return 0;
    }
    try {
      return Integer.parseInt(annotations.get(DELETION_COST_ANNOTATION).trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int maxRestarts(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return 0;
    }
    int max = 0;
    for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
      if (status.getRestartCount() != null) {
        max = Math.max(max, status.getRestartCount());
      }
    }
    return max;
  }

  private static String nodeName(Pod pod) {
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    return node == null || node.isEmpty() ? null : node;
  }

  private static String uidOf(Pod pod) {
    String uid = pod.getMetadata().getUid();
    return uid == null ? pod.getMetadata().getName() : uid;
  }
}
