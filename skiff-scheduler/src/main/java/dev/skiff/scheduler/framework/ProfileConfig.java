package dev.skiff.scheduler.framework;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * One resolved scheduling profile: the plugins enabled at each extension point, in order, and their
 * args.
 */
public record ProfileConfig(
    String schedulerName,
    Integer percentageOfNodesToScore,
    Map<ExtensionPoint, List<PluginRef>> plugins,
    Map<String, JsonNode> pluginArgs) {

  public ProfileConfig {
    plugins = Map.copyOf(plugins);
    pluginArgs = Map.copyOf(pluginArgs);
  }

  public List<PluginRef> enabled(ExtensionPoint point) {
    return plugins.getOrDefault(point, List.of());
  }
}
