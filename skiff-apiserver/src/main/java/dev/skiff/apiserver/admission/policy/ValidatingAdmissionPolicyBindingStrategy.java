package dev.skiff.apiserver.admission.policy;

import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The registry strategy of ValidatingAdmissionPolicyBinding: generation tracked, and the spec
 * checked as Kubernetes checks it (policyName, validationActions, paramRef).
 */
public final class ValidatingAdmissionPolicyBindingStrategy implements ResourceStrategy {
  private static final List<String> ACTIONS = List.of("Audit", "Deny", "Warn");
  private static final List<String> NOT_FOUND_ACTIONS = List.of("Deny", "Allow");

  @Override
  public Traits traits() {
    return Traits.DEFAULT.withGeneration();
  }

  @Override
  public void applyDefaults(ObjectNode object) {
    if (object.path("spec").get("matchResources") instanceof ObjectNode match) {
      ValidatingAdmissionPolicyStrategy.defaultMatchResources(match);
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = object.path("spec");
    if (spec.path("policyName").asString("").isEmpty()) {
      errors.add(FieldError.required("spec.policyName", ""));
    }
    JsonNode actions = spec.path("validationActions");
    Set<String> seen = new HashSet<>();
    int i = 0;
    for (JsonNode action : actions) {
      String path = "spec.validationActions[" + i++ + "]";
      String value = action.asString("");
      if (!ACTIONS.contains(value)) {
        errors.add(FieldError.notSupported(path, value, ACTIONS));
      } else if (!seen.add(value)) {
        errors.add(FieldError.duplicate(path, value));
      }
    }
    if (seen.contains("Deny") && seen.contains("Warn")) {
      errors.add(
          FieldError.invalid(
              "spec.validationActions",
              actions.toString(),
              "must not contain both Deny and Warn (repeating the same validation failure"
                  + " information in the API response and headers serves no purpose)"));
    }
    if (seen.isEmpty()) {
      errors.add(
          FieldError.required(
              "spec.validationActions", "at least one validation action is required"));
    }
    JsonNode paramRef = spec.path("paramRef");
    if (paramRef.isObject()) {
      boolean named = !paramRef.path("name").asString("").isEmpty();
      boolean selected = paramRef.path("selector").isObject();
      if (named && selected) {
        errors.add(
            FieldError.forbidden("spec.paramRef.name", "name and selector are mutually exclusive"));
        errors.add(
            FieldError.forbidden(
                "spec.paramRef.selector", "name and selector are mutually exclusive"));
      } else if (!named && !selected) {
        errors.add(
            FieldError.required("spec.paramRef", "one of name or selector must be specified"));
      }
      ValidatingAdmissionPolicyStrategy.selector(
          paramRef.path("selector"), "spec.paramRef.selector", errors);
      String notFound = paramRef.path("parameterNotFoundAction").asString("");
      if (notFound.isEmpty()) {
        errors.add(FieldError.required("spec.paramRef.parameterNotFoundAction", ""));
      } else if (!NOT_FOUND_ACTIONS.contains(notFound)) {
        errors.add(
            FieldError.notSupported(
                "spec.paramRef.parameterNotFoundAction", notFound, NOT_FOUND_ACTIONS));
      }
    }
    if (spec.path("matchResources").isObject()) {
      ValidatingAdmissionPolicyStrategy.matchResources(
          spec.path("matchResources"), "spec.matchResources", errors);
    }
    return errors;
  }
}
