package dev.skiff.scheduler.framework;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The aggregated "0/N nodes are available: ..." message of a failed scheduling attempt: a histogram
 * of the reasons of every node, sorted, then the PostFilter (preemption) message.
 */
public final class FitError {
  private FitError() {}

  /**
   * @param preFilterMessage set when PreFilter rejected the pod (node statuses are not repeated)
   * @param postFilterMessage the PostFilter message, or empty
   */
  public static String message(
      int numAllNodes,
      Map<String, PluginStatus> nodeToStatus,
      String preFilterMessage,
      String postFilterMessage) {
    StringBuilder sb = new StringBuilder();
    sb.append("0/").append(numAllNodes).append(" nodes are available:");
    if (preFilterMessage != null && !preFilterMessage.isEmpty()) {
      sb.append(' ').append(preFilterMessage).append('.');
    } else {
      Map<String, Integer> histogram = new TreeMap<>();
      for (PluginStatus s : nodeToStatus.values()) {
        for (String reason : s.reasons()) {
          histogram.merge(reason, 1, Integer::sum);
        }
      }
      List<String> parts = new ArrayList<>();
      histogram.forEach((reason, count) -> parts.add(count + " " + reason));
      parts.sort(null);
      if (!parts.isEmpty()) {
        sb.append(' ').append(String.join(", ", parts)).append('.');
      }
    }
    if (postFilterMessage != null && !postFilterMessage.isEmpty()) {
      sb.append(' ').append(postFilterMessage);
      if (!postFilterMessage.endsWith(".")) {
        sb.append('.');
      }
    }
    return sb.toString();
  }
}
