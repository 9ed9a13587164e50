package dev.skiff.kubelet.network;

import dev.skiff.api.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a CNI configuration list the way containerd's CNI library does (each plugin with the
 * network's name and version, the previous plugin's result, and runtimeConfig for the capabilities
 * it declares), so a test proves the written configuration works without a container runtime.
 */
final class CniChain {
  private final HostCommands node;
  private final ObjectNode conflist;
  private final Path binDir;

  CniChain(HostCommands node, Path conflistFile, Path binDir) throws java.io.IOException {
    this.node = node;
    this.conflist = (ObjectNode) Json.MAPPER.readTree(Files.readString(conflistFile));
    this.binDir = binDir;
  }

  /** ADD: returns the last plugin's result. */
  JsonNode add(String containerId, String podNetns, List<Map<String, Object>> portMappings) {
    JsonNode previous = null;
    for (JsonNode plugin : conflist.path("plugins")) {
      String out = invoke("ADD", plugin, previous, containerId, podNetns, portMappings);
      previous = Json.MAPPER.readTree(out);
    }
    return previous;
  }

  /** DEL, in reverse order. */
  void del(String containerId, String podNetns, List<Map<String, Object>> portMappings) {
    List<JsonNode> plugins = new ArrayList<>();
    conflist.path("plugins").forEach(plugins::add);
    for (JsonNode plugin : plugins.reversed()) {
      invoke("DEL", plugin, null, containerId, podNetns, portMappings);
    }
  }

  private String invoke(
      String command,
      JsonNode plugin,
      JsonNode previous,
      String containerId,
      String podNetns,
      List<Map<String, Object>> portMappings) {
    ObjectNode config = ((ObjectNode) plugin).deepCopy();
    config.put("cniVersion", conflist.path("cniVersion").asString());
    config.put("name", conflist.path("name").asString());
    if (previous != null) {
      config.set("prevResult", previous);
    }
    if (plugin.path("capabilities").path("portMappings").asBoolean(false)) {
      config.putObject("runtimeConfig").set("portMappings", Json.MAPPER.valueToTree(portMappings));
    }
    String type = plugin.path("type").asString();
    return node.run(
        List.of(binDir.resolve(type).toString()),
        Json.MAPPER.writeValueAsString(config),
        Map.of(
            "CNI_COMMAND", command,
            "CNI_CONTAINERID", containerId,
            "CNI_NETNS", podNetns,
            "CNI_IFNAME", "eth0",
            "CNI_PATH", binDir.toString()));
  }
}
