package dev.skiff.apiserver.admission.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.api.validation.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** What the registry refuses when policies and bindings are written, and the defaults it fills. */
class ValidatingAdmissionPolicyStrategyTest {
  private final ValidatingAdmissionPolicyStrategy policies =
      new ValidatingAdmissionPolicyStrategy();
  private final ValidatingAdmissionPolicyBindingStrategy bindings =
      new ValidatingAdmissionPolicyBindingStrategy();

  private static ObjectNode object(String spec) {
    return (ObjectNode)
        Json.MAPPER.readTree("{\"metadata\":{\"name\":\"p\"},\"spec\":" + spec + "}");
  }

  private static final String RULES =
      "\"matchConstraints\":{\"resourceRules\":[{\"apiGroups\":[\"apps\"],\"apiVersions\":[\"v1\"],"
          + "\"operations\":[\"CREATE\"],\"resources\":[\"deployments\"]}]}";

  private List<String> policyErrors(String spec) {
    ObjectNode policy = object(spec);
    policies.applyDefaults(policy);
    return policies.validate(policy).stream().map(FieldError::toString).toList();
  }

  private List<String> bindingErrors(String spec) {
    ObjectNode binding = object(spec);
    bindings.applyDefaults(binding);
    return bindings.validate(binding).stream().map(FieldError::toString).toList();
  }

  @Test
  void defaultsAreFilled() {
    ObjectNode policy = object("{" + RULES + ",\"validations\":[{\"expression\":\"true\"}]}");
    policies.applyDefaults(policy);
    assertThat(policy.path("spec").path("failurePolicy").asString()).isEqualTo("Fail");
    ObjectNode match = (ObjectNode) policy.path("spec").path("matchConstraints");
    assertThat(match.path("matchPolicy").asString()).isEqualTo("Equivalent");
    assertThat(match.path("namespaceSelector").isObject()).isTrue();
    assertThat(match.path("objectSelector").isObject()).isTrue();
    assertThat(match.path("resourceRules").path(0).path("scope").asString()).isEqualTo("*");
    assertThat(policies.validate(policy)).isEmpty();
  }

  @Test
  void expressionsMustCompile() {
    assertThat(policyErrors("{" + RULES + ",\"validations\":[{\"expression\":\"object.x ==\"}]}"))
        .singleElement()
        .asString()
        .startsWith(
            "spec.validations[0].expression: Invalid value: \"object.x ==\": compilation failed:"
                + " ERROR: <input>:1:");
    assertThat(
            policyErrors(
                "{"
                    + RULES
                    + ",\"variables\":[{\"name\":\"in\",\"expression\":\"1\"}],"
                    + "\"validations\":[{\"expression\":\"params.x\",\"reason\":\"Teapot\"}]}"))
        .hasSize(3)
        .anySatisfy(e -> assertThat(e).startsWith("spec.variables[0].name: Invalid value: \"in\""))
        .anySatisfy(e -> assertThat(e).contains("undeclared reference to 'params'"))
        .anySatisfy(
            e ->
                assertThat(e)
                    .isEqualTo(
                        "spec.validations[0].reason: Unsupported value: \"Teapot\": supported"
                            + " values: \"Forbidden\", \"Invalid\", \"RequestEntityTooLarge\","
                            + " \"Unauthorized\""));
  }

  @Test
  void aPolicyNeedsRulesAndValidations() {
    assertThat(policyErrors("{}"))
        .containsExactly(
            "spec.matchConstraints: Required value",
            "spec.validations: Required value: validations or auditAnnotations must contain at"
                + " least one item",
            "spec.auditAnnotations: Required value: validations or auditAnnotations must contain"
                + " at least one item");
  }

  @Test
  void bindingsAreChecked() {
    assertThat(bindingErrors("{\"policyName\":\"p\",\"validationActions\":[\"Deny\"]}")).isEmpty();
    assertThat(bindingErrors("{\"policyName\":\"p\",\"validationActions\":[\"Deny\",\"Warn\"]}"))
        .singleElement()
        .asString()
        .startsWith("spec.validationActions: Invalid value: ")
        .endsWith(
            "must not contain both Deny and Warn (repeating the same validation failure"
                + " information in the API response and headers serves no purpose)");
    assertThat(bindingErrors("{\"paramRef\":{\"name\":\"x\"}}"))
        .containsExactly(
            "spec.policyName: Required value",
            "spec.validationActions: Required value: at least one validation action is required",
            "spec.paramRef.parameterNotFoundAction: Required value");
  }

  @Test
  void selectorsMustParse() {
    assertThat(
            bindingErrors(
                "{\"policyName\":\"p\",\"validationActions\":[\"Deny\"],\"matchResources\":"
                    + "{\"namespaceSelector\":{\"matchExpressions\":"
                    + "[{\"key\":\"env\",\"operator\":\"Near\"}]}}}"))
        .singleElement()
        .asString()
        .startsWith("spec.matchResources.namespaceSelector: Invalid value: ");
  }
}
