package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * PersistentVolumeClaims: Filesystem volume mode, phase Pending, and a spec that only grows its
 * storage request, gets bound (spec.volumeName set once) or gets a class where it had none (the
 * retroactive default StorageClass assignment) after creation.
 */
public final class PersistentVolumeClaimStrategy implements ResourceStrategy {
  static final String IMMUTABLE =
      "spec is immutable after creation except resources.requests and volumeAttributesClassName"
          + " for bound claims";

  @Override
  public void applyDefaults(ObjectNode claim) {
    Meta.defaultText(Meta.child(claim, "spec"), "volumeMode", "Filesystem");
  }

  @Override
  public void prepareForCreate(ObjectNode claim) {
    claim.putObject("status").put("phase", "Pending");
  }

  @Override
  public List<FieldError> validate(ObjectNode claim) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = claim.path("spec");
    if (spec.path("accessModes").isEmpty()) {
      errors.add(FieldError.required("spec.accessModes", "at least 1 access mode is required"));
    }
    if (spec.path("resources").path("requests").path("storage").isMissingNode()) {
      errors.add(FieldError.required("spec.resources[storage]", ""));
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode claim, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(claim));
    ObjectNode before = ((ObjectNode) old.path("spec")).deepCopy();
    ObjectNode after = ((ObjectNode) claim.path("spec")).deepCopy();
    for (ObjectNode spec : List.of(before, after)) {
      if (spec.path("resources") instanceof ObjectNode resources) {
        resources.remove("requests");
      }
      spec.remove("volumeAttributesClassName");
    }
    if (Meta.text(before, "volumeName").isEmpty()) {
      after.remove("volumeName");
    }
    if (!before.hasNonNull("storageClassName")) {
      after.remove("storageClassName");
    }
    if (!after.equals(before)) {
      errors.add(FieldError.forbidden("spec", IMMUTABLE));
    }
    return errors;
  }
}
