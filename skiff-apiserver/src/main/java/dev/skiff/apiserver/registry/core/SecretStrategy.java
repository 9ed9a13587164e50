package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.Meta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Secrets: type Opaque by default, stringData folded into data, type and content immutability. */
public final class SecretStrategy extends ConfigMapStrategy {

  @Override
  public void applyDefaults(ObjectNode secret) {
    Meta.defaultText(secret, "type", "Opaque");
    JsonNode stringData = secret.remove("stringData");
    if (stringData instanceof ObjectNode strings && !strings.isEmpty()) {
      ObjectNode data = Meta.child(secret, "data");
      for (Map.Entry<String, JsonNode> e : strings.properties()) {
        data.put(
            e.getKey(),
            Base64.getEncoder()
                .encodeToString(e.getValue().asString("").getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode secret) {
    List<FieldError> errors = new ArrayList<>(super.validate(secret));
    for (Map.Entry<String, JsonNode> e : secret.path("data").properties()) {
      try {
        Base64.getDecoder().decode(e.getValue().asString(""));
      } catch (IllegalArgumentException bad) {
        errors.add(
            FieldError.invalid(
                "data[" + e.getKey() + "]", "<secret contents redacted>", "illegal base64 data"));
      }
    }
    String type = Meta.text(secret, "type");
    List<String> required =
        switch (type) {
          case "kubernetes.io/tls" -> List.of("tls.crt", "tls.key");
          case "kubernetes.io/dockerconfigjson" -> List.of(".dockerconfigjson");
          case "kubernetes.io/dockercfg" -> List.of(".dockercfg");
          default -> List.of();
        };
    for (String key : required) {
      if (!secret.path("data").has(key)) {
        errors.add(FieldError.required("data[" + key + "]", ""));
      }
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode secret, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(super.validateUpdate(secret, old));
    String type = Meta.text(secret, "type");
    if (!type.equals(Meta.text(old, "type"))) {
      errors.add(FieldError.invalid("type", type, "field is immutable"));
    }
    return errors;
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode secret) {
    return Map.of("type", Meta.text(secret, "type"));
  }
}
