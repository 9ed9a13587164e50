package dev.skiff.scheduler.plugins;

import dev.skiff.scheduler.framework.BindPlugin;
import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.Handle;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;

/** Binds through the pods/binding subresource. */
public final class DefaultBinder implements BindPlugin {
  public static final String NAME = "DefaultBinder";
  private final Handle handle;

  public DefaultBinder(Handle handle) {
    this.handle = handle;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PluginStatus bind(CycleState state, PodInfo pod, String nodeName) {
    try {
      handle.client().bind(pod.pod(), nodeName);
      return PluginStatus.SUCCESS;
    } catch (RuntimeException e) {
      return PluginStatus.error("binding rejected: " + e.getMessage());
    }
  }
}
