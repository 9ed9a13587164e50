package dev.skiff.api;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The JSON and YAML mappers every module shares. Objects travel as Jackson trees ({@link
 * ObjectNode}) inside the server; typed fabric8 models are used where code reads many fields.
 */
public final class Json {
  public static final JsonMapper MAPPER = JsonMapper.builder().build();
  public static final YAMLMapper YAML = YAMLMapper.builder().build();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] bytes(JsonNode node) {
    return MAPPER.writeValueAsBytes(node);
  }

  /** Parses bytes that must hold a JSON object; throws {@link JacksonException} otherwise. */
  public static ObjectNode parseObject(byte[] bytes) {
    JsonNode node = MAPPER.readTree(bytes);
    if (node instanceof ObjectNode object) {
      return object;
    }
    throw new IllegalArgumentException("expected a JSON object");
  }
}
