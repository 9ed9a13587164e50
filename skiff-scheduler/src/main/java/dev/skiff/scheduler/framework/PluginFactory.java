package dev.skiff.scheduler.framework;

import tools.jackson.databind.JsonNode;

/** Builds a plugin from its pluginConfig args (null when none were given). */
@FunctionalInterface
public interface PluginFactory {
  Plugin create(JsonNode args, Handle handle);
}
