package dev.skiff.apiserver.registry;

import dev.skiff.api.validation.FieldError;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * The per-kind policy the {@link GenericRegistry} calls, in this order: {@link #applyDefaults} on
 * every decoded body, then {@link #prepareForCreate} and {@link #validate} on create, or {@link
 * #prepareForUpdate} and {@link #validateUpdate} on update. Implementations are stateless values;
 * hooks mutate the object they are given and do no I/O. Validation returns field errors and never
 * throws.
 */
public interface ResourceStrategy {

  /** Fills the defaults Kubernetes sets when decoding (on create and update bodies). */
  default void applyDefaults(ObjectNode object) {}

  /** Clears or sets what users may not choose on create (e.g. status). */
  default void prepareForCreate(ObjectNode object) {}

  /** Field errors of a new object; metadata is validated by the registry. */
  default List<FieldError> validate(ObjectNode object) {
    return List.of();
  }

  /** Carries over what an update may not change (status on the main resource is the registry's). */
  default void prepareForUpdate(ObjectNode object, ObjectNode old) {}

  /** Field errors of an update, typically immutable fields, plus {@link #validate}'s. */
  default List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
    return validate(object);
  }

  /**
   * The kind's selectable fields besides metadata.name and metadata.namespace, each field label to
   * its value in {@code object}. The key set is the same for every object.
   */
  default Map<String, String> selectableFields(ObjectNode object) {
    return Map.of();
  }

  default Traits traits() {
    return Traits.DEFAULT;
  }
}
