package dev.skiff.apiserver.registry;

import dev.skiff.api.validation.FieldError;
import dev.skiff.api.validation.NameValidation;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Kubernetes' ObjectMeta validation of a new or updated object: name, labels, annotations. */
public final class MetadataValidation {
  private MetadataValidation() {}

  /** Errors in the object's metadata; {@code rule} checks the name. */
  public static List<FieldError> validate(ObjectNode object, NameRule rule) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode metadata = object.path("metadata");
    String name = Meta.text(metadata, "name");
    if (name.isEmpty()) {
      errors.add(FieldError.required("metadata.name", "name or generateName is required"));
    } else {
      errors.addAll(NameValidation.validateName(name, "metadata.name", rule::check));
    }
    errors.addAll(
        NameValidation.validateLabels(Meta.stringMap(metadata.path("labels")), "metadata.labels"));
    errors.addAll(
        NameValidation.validateAnnotations(
            Meta.stringMap(metadata.path("annotations")), "metadata.annotations"));
    return errors;
  }
}
