package dev.skiff.controllers.deployment;

import dev.skiff.api.Json;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The pod-template-hash: a stable FNV-1a 32-bit hash of the pod template (canonical JSON, keys
 * sorted) and the collision count, encoded with Kubernetes' safe alphabet (no vowels), so names
 * like {@code web-5d4f8c7b9} never spell words.
 */
public final class TemplateHash {
  private static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final JsonMapper CANONICAL =
      JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

  private TemplateHash() {}

  public static String compute(PodTemplateSpec template, Integer collisionCount) {
    Map<?, ?> tree = Json.MAPPER.convertValue(withoutHashLabel(template), Map.class);
    byte[] bytes = CANONICAL.writeValueAsBytes(tree);
    int hash = 0x811c9dc5;
    for (byte b : bytes) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    if (collisionCount != null) {
      for (byte b : Integer.toString(collisionCount).getBytes(StandardCharsets.UTF_8)) {
        hash ^= b & 0xff;
        hash *= 0x01000193;
      }
    }
    return safeEncode(Integer.toUnsignedString(hash));
  }

  static String safeEncode(String text) {
    StringBuilder encoded = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      encoded.append(SAFE_ALPHABET.charAt(c % SAFE_ALPHABET.length()));
    }
    return encoded.toString();
  }

  /** The template as JSON with the pod-template-hash label removed (and empty labels dropped). */
  static JsonNode withoutHashLabel(PodTemplateSpec template) {
    ObjectNode tree = Json.MAPPER.valueToTree(template);
    JsonNode metadata = tree.get("metadata");
    if (metadata instanceof ObjectNode meta && meta.get("labels") instanceof ObjectNode labels) {
      labels.remove(Rollouts.POD_TEMPLATE_HASH);
      if (labels.isEmpty()) {
        meta.remove("labels");
      }
      if (meta.isEmpty()) {
        tree.remove("metadata");
      }
    } else if (metadata instanceof ObjectNode meta && meta.isEmpty()) {
      tree.remove("metadata");
    }
    return tree;
  }

  /** Equal templates once the pod-template-hash label is ignored. */
  public static boolean equalIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
    return Objects.equals(withoutHashLabel(a), withoutHashLabel(b));
  }

  /** A copy of the labels with the hash added. */
  public static Map<String, String> withHash(Map<String, String> labels, String hash) {
    Map<String, String> copy = labels == null ? new HashMap<>() : new HashMap<>(labels);
    copy.put(Rollouts.POD_TEMPLATE_HASH, hash);
    return copy;
  }
}
