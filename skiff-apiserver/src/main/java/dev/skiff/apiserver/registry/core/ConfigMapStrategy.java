package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.ResourceStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** ConfigMaps (and, through {@link SecretStrategy}, secrets): key syntax and immutability. */
public class ConfigMapStrategy implements ResourceStrategy {
  private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  static final String IMMUTABLE = "field is immutable when `immutable` is set";

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    for (String field : List.of("data", "binaryData")) {
      for (Map.Entry<String, JsonNode> e : object.path(field).properties()) {
        String key = e.getKey();
        if (key.length() > 253) {
          errors.add(FieldError.invalid(field, key, "must be no more than 253 characters"));
        }
        if (!CONFIG_KEY.matcher(key).matches()) {
          errors.add(
              FieldError.invalid(
                  field,
                  key,
                  "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
                      + " (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for"
                      + " validation is '[-._a-zA-Z0-9]+')"));
        }
      }
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(object));
    if (old.path("immutable").asBoolean(false)) {
      if (!object.path("immutable").asBoolean(false)) {
        errors.add(FieldError.forbidden("immutable", IMMUTABLE));
      }
      for (String field : List.of("data", "binaryData")) {
        if (!object.path(field).equals(old.path(field))) {
          errors.add(FieldError.forbidden(field, IMMUTABLE));
        }
      }
    }
    return errors;
  }
}
