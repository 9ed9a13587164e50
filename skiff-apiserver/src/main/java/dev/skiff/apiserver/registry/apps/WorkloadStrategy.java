package dev.skiff.apiserver.registry.apps;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import dev.skiff.apiserver.registry.core.PodTemplates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What deployments, replica sets, stateful sets and daemon sets share: a required label selector
 * that matches the pod template's labels and may not change, template defaults, an empty status on
 * create and generation tracking. Each kind adds its own spec defaults.
 */
public abstract class WorkloadStrategy implements ResourceStrategy {
  private static final Traits TRAITS = Traits.DEFAULT.withGeneration();

  /** The kind's spec defaults besides the template's. */
  protected abstract void defaultSpec(ObjectNode spec);

  @Override
  public final void applyDefaults(ObjectNode object) {
    ObjectNode spec = Meta.child(object, "spec");
    defaultSpec(spec);
    PodTemplates.defaultTemplate(Meta.child(spec, "template"));
  }

  @Override
  public void prepareForCreate(ObjectNode object) {
    object.putObject("status");
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = object.path("spec");
    JsonNode selector = spec.path("selector");
    if (selector.isMissingNode() || selector.isNull()) {
      errors.add(FieldError.required("spec.selector", ""));
    } else if (selector.path("matchLabels").isEmpty()
        && selector.path("matchExpressions").isEmpty()) {
      errors.add(
          FieldError.invalid(
              "spec.selector", selector.toString(), "empty selector is invalid for deployment"));
    } else if (!matches(selector, spec.path("template").path("metadata").path("labels"))) {
      errors.add(
          FieldError.invalid(
              "spec.template.metadata.labels",
              Meta.stringMap(spec.path("template").path("metadata").path("labels")),
              "`selector` does not match template `labels`"));
    }
    if (spec.has("replicas") && spec.path("replicas").asLong(0) < 0) {
      errors.add(
          FieldError.invalid(
              "spec.replicas",
              spec.path("replicas").asLong(),
              "must be greater than or equal to 0"));
    }
    errors.addAll(
        PodTemplates.validateSpec(spec.path("template").path("spec"), "spec.template.spec"));
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(object));
    JsonNode selector = object.path("spec").path("selector");
    if (!selector.equals(old.path("spec").path("selector"))) {
      errors.add(FieldError.invalid("spec.selector", selector.toString(), "field is immutable"));
    }
    return errors;
  }

  /** Whether a LabelSelector (matchLabels and matchExpressions) selects {@code labels}. */
  static boolean matches(JsonNode selector, JsonNode labels) {
    Map<String, String> have = Meta.stringMap(labels);
    for (Map.Entry<String, String> e : Meta.stringMap(selector.path("matchLabels")).entrySet()) {
      if (!e.getValue().equals(have.get(e.getKey()))) {
        return false;
      }
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = Meta.text(expression, "key");
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asString("")));
      boolean ok =
          switch (Meta.text(expression, "operator")) {
            case "In" -> have.containsKey(key) && values.contains(have.get(key));
            case "NotIn" -> !have.containsKey(key) || !values.contains(have.get(key));
            case "Exists" -> have.containsKey(key);
            case "DoesNotExist" -> !have.containsKey(key);
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode object) {
    return Map.of();
  }

  @Override
  public Traits traits() {
    return TRAITS;
  }
}
