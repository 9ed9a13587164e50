package dev.skiff.apiserver.registry.core;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ReplicationControllers: a plain label map as selector, defaulted from the template's labels (and
 * the labels from the template too), one replica, selectable by status.replicas.
 */
public final class ReplicationControllerStrategy implements ResourceStrategy {
  private static final Traits TRAITS = Traits.DEFAULT.withGeneration();

  @Override
  public void applyDefaults(ObjectNode rc) {
    ObjectNode spec = Meta.child(rc, "spec");
    Meta.defaultInt(spec, "replicas", 1);
    ObjectNode template = Meta.child(spec, "template");
    JsonNode templateLabels = template.path("metadata").path("labels");
    if (spec.path("selector").isEmpty() && !templateLabels.isEmpty()) {
      spec.set("selector", templateLabels.deepCopy());
    }
    if (rc.path("metadata").path("labels").isEmpty() && !templateLabels.isEmpty()) {
      Meta.metadata(rc).set("labels", templateLabels.deepCopy());
    }
    PodTemplates.defaultTemplate(template);
  }

  @Override
  public void prepareForCreate(ObjectNode rc) {
    rc.putObject("status");
  }

  @Override
  public List<FieldError> validate(ObjectNode rc) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = rc.path("spec");
    Map<String, String> selector = Meta.stringMap(spec.path("selector"));
    Map<String, String> labels =
        Meta.stringMap(spec.path("template").path("metadata").path("labels"));
    if (selector.isEmpty()) {
      errors.add(FieldError.required("spec.selector", ""));
    } else if (!labels.entrySet().containsAll(selector.entrySet())) {
      errors.add(
          FieldError.invalid(
              "spec.template.metadata.labels",
              labels,
              "`selector` does not match template `labels`"));
    }
    errors.addAll(
        PodTemplates.validateSpec(spec.path("template").path("spec"), "spec.template.spec"));
    return errors;
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode rc) {
    return Map.of("status.replicas", Long.toString(rc.path("status").path("replicas").asLong(0)));
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }
}
