package dev.skiff.scheduler.framework;

import java.util.List;

/**
 * The outcome of a plugin call. Expected outcomes (a node does not fit) are values, never
 * exceptions.
 */
public record PluginStatus(Code code, List<String> reasons, String plugin) {

  public enum Code {
    SUCCESS,
    ERROR,
    UNSCHEDULABLE,
    /** Unschedulable and preemption on this node would not help. */
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    WAIT,
    SKIP,
    PENDING
  }

  public static final PluginStatus SUCCESS = new PluginStatus(Code.SUCCESS, List.of(), "");
  public static final PluginStatus SKIP = new PluginStatus(Code.SKIP, List.of(), "");

  public PluginStatus {
    reasons = List.copyOf(reasons);
    plugin = plugin == null ? "" : plugin;
  }

  public static PluginStatus unschedulable(String... reasons) {
    return new PluginStatus(Code.UNSCHEDULABLE, List.of(reasons), "");
  }

  public static PluginStatus unresolvable(String... reasons) {
    return new PluginStatus(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(reasons), "");
  }

  public static PluginStatus error(String reason) {
    return new PluginStatus(Code.ERROR, List.of(reason), "");
  }

  public boolean isSuccess() {
    return code == Code.SUCCESS;
  }

  public boolean isSkip() {
    return code == Code.SKIP;
  }

  /** Unschedulable or unschedulable-and-unresolvable. */
  public boolean isRejected() {
    return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
  }

  public String message() {
    return String.join(", ", reasons);
  }

  /** The same status attributed to {@code pluginName}, unless already attributed. */
  public PluginStatus withPlugin(String pluginName) {
    return plugin.isEmpty() && code != Code.SUCCESS
        ? new PluginStatus(code, reasons, pluginName)
        : this;
  }
}
