package dev.skiff.scheduler.framework;

/** A plugin enabled at an extension point; weight matters for Score only (0 means default 1). */
public record PluginRef(String name, int weight) {
  public static PluginRef of(String name) {
    return new PluginRef(name, 0);
  }
}
