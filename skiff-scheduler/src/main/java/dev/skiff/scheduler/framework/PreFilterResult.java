package dev.skiff.scheduler.framework;

import java.util.Set;

/** A PreFilter outcome: a status and, optionally, the only node names worth filtering. */
public record PreFilterResult(PluginStatus status, Set<String> nodeNames) {
  public static final PreFilterResult SUCCESS = new PreFilterResult(PluginStatus.SUCCESS, null);
  public static final PreFilterResult SKIP = new PreFilterResult(PluginStatus.SKIP, null);

  public PreFilterResult {
    nodeNames = nodeNames == null ? null : Set.copyOf(nodeNames);
  }

  public static PreFilterResult of(PluginStatus status) {
    return new PreFilterResult(status, null);
  }

  public static PreFilterResult onlyNodes(Set<String> nodeNames) {
    return new PreFilterResult(PluginStatus.SUCCESS, nodeNames);
  }
}
