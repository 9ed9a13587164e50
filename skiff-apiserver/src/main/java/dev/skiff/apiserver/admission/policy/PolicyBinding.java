package dev.skiff.apiserver.admission.policy;

import dev.skiff.api.selector.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One ValidatingAdmissionPolicyBinding as admission uses it.
 *
 * @param matchResources the binding's own narrowing, or null (everything the policy matches)
 * @param paramRef where params come from, or null
 * @param configurationError why the binding cannot be applied as written (a bad selector), or null
 */
record PolicyBinding(
    String name,
    String policyName,
    List<String> validationActions,
    MatchResources matchResources,
    ParamRef paramRef,
    String configurationError) {

  /**
   * spec.paramRef.
   *
   * @param selector null when the binding names one object
   * @param denyWhenNotFound parameterNotFoundAction Deny (Allow otherwise)
   */
  record ParamRef(
      String name, String namespace, LabelSelector selector, boolean denyWhenNotFound) {}

  PolicyBinding {
    validationActions = List.copyOf(validationActions);
  }

  static PolicyBinding of(ObjectNode binding) {
    JsonNode spec = binding.path("spec");
    List<String> actions = new ArrayList<>();
    spec.path("validationActions").forEach(action -> actions.add(action.asString("")));
    MatchResources match = null;
    ParamRef ref = null;
    String error = null;
    try {
      if (spec.path("matchResources").isObject()) {
        match = MatchResources.of(spec.path("matchResources"));
      }
      JsonNode paramRef = spec.path("paramRef");
      if (paramRef.isObject()) {
        JsonNode selector = paramRef.path("selector");
        ref =
            new ParamRef(
                paramRef.path("name").asString(""),
                paramRef.path("namespace").asString(""),
                selector.isObject() ? LabelSelector.fromJson(selector) : null,
                "Deny".equals(paramRef.path("parameterNotFoundAction").asString("")));
      }
    } catch (IllegalArgumentException e) {
      error = e.getMessage();
    }
    return new PolicyBinding(
        binding.path("metadata").path("name").asString(""),
        spec.path("policyName").asString(""),
        actions,
        match,
        ref,
        error);
  }
}
