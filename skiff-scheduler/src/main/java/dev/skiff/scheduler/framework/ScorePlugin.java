package dev.skiff.scheduler.framework;

import java.util.List;

/**
 * Ranks feasible nodes from 0 to {@link #MAX_NODE_SCORE}; called concurrently for different nodes.
 */
public interface ScorePlugin extends Plugin {
  long MAX_NODE_SCORE = 100;

  long score(CycleState state, PodInfo pod, NodeInfo node);

  /** Rewrites {@code scores} (one per node of {@code nodes}) into the 0..100 range if needed. */
  default void normalizeScores(
      CycleState state, PodInfo pod, List<NodeInfo> nodes, long[] scores) {}

  /** Scales scores so the highest becomes 100 (reversed: the highest becomes 0). */
  static void defaultNormalize(long[] scores, boolean reverse) {
    long max = 0;
    for (long s : scores) {
      max = Math.max(max, s);
    }
    for (int i = 0; i < scores.length; i++) {
      if (max == 0) {
        scores[i] = reverse ? MAX_NODE_SCORE : scores[i];
        continue;
      }
      long s = MAX_NODE_SCORE * scores[i] / max;
      scores[i] = reverse ? MAX_NODE_SCORE - s : s;
    }
  }
}
