package dev.skiff.apiserver.admission.policy;

import dev.skiff.api.selector.LabelSelector;
import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The registry strategy of ValidatingAdmissionPolicy: Kubernetes' defaults (failurePolicy Fail,
 * matchPolicy Equivalent, empty selectors, rule scope "*"), generation tracked, and the spec
 * checked as Kubernetes checks it on create and update, including that every CEL expression
 * compiles (one that does not is refused with 422 {@code Invalid value: "<expression>": compilation
 * failed: ...}).
 */
public final class ValidatingAdmissionPolicyStrategy implements ResourceStrategy {
  private static final List<String> FAILURE_POLICIES = List.of("Fail", "Ignore");
  private static final List<String> REASONS =
      List.of("Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized");
  private static final List<String> OPERATIONS =
      List.of("*", "CONNECT", "CREATE", "DELETE", "UPDATE");
  private static final List<String> MATCH_POLICIES = List.of("Equivalent", "Exact");
  private static final List<String> SCOPES = List.of("*", "Cluster", "Namespaced");
  private static final Pattern CEL_IDENTIFIER = Pattern.compile("^[_a-zA-Z][_a-zA-Z0-9]*$");
  private static final Set<String> CEL_RESERVED =
      Set.of(
          "true",
          "false",
          "null",
          "in",
          "as",
          "break",
          "const",
          "continue",
          "else",
          "for",
          "function",
          "if",
          "import",
          "let",
          "loop",
          "package",
          "namespace",
          "return",
          "var",
          "void",
          "while");

  @Override
  public Traits traits() {
    return Traits.DEFAULT.withGeneration();
  }

  @Override
  public void applyDefaults(ObjectNode object) {
    if (object.get("spec") instanceof ObjectNode spec) {
      if (!spec.hasNonNull("failurePolicy")) {
        spec.put("failurePolicy", "Fail");
      }
      if (spec.get("matchConstraints") instanceof ObjectNode match) {
        defaultMatchResources(match);
      }
    }
  }

  /** MatchResources defaults, shared with bindings. */
  static void defaultMatchResources(ObjectNode match) {
    if (!match.hasNonNull("matchPolicy")) {
      match.put("matchPolicy", "Equivalent");
    }
    for (String selector : List.of("namespaceSelector", "objectSelector")) {
      if (!match.hasNonNull(selector)) {
        match.putObject(selector);
      }
    }
    for (String rules : List.of("resourceRules", "excludeResourceRules")) {
      for (JsonNode rule : match.path(rules)) {
        if (rule instanceof ObjectNode r && !r.hasNonNull("scope")) {
          r.put("scope", "*");
        }
      }
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = object.path("spec");
    String failurePolicy = spec.path("failurePolicy").asString("");
    if (failurePolicy.isEmpty()) {
      errors.add(FieldError.required("spec.failurePolicy", ""));
    } else if (!FAILURE_POLICIES.contains(failurePolicy)) {
      errors.add(FieldError.notSupported("spec.failurePolicy", failurePolicy, FAILURE_POLICIES));
    }
    JsonNode paramKind = spec.path("paramKind");
    boolean params = paramKind.isObject();
    if (params) {
      for (String field : List.of("apiVersion", "kind")) {
        if (paramKind.path(field).asString("").isEmpty()) {
          errors.add(FieldError.required("spec.paramKind." + field, ""));
        }
      }
    }
    JsonNode match = spec.path("matchConstraints");
    if (!match.isObject()) {
      errors.add(FieldError.required("spec.matchConstraints", ""));
    } else {
      matchResources(match, "spec.matchConstraints", errors);
      if (match.path("resourceRules").isEmpty()) {
        errors.add(FieldError.required("spec.matchConstraints.resourceRules", ""));
      }
    }
    matchConditions(spec.path("matchConditions"), PolicyCel.of(params, false), errors);
    variables(spec.path("variables"), PolicyCel.of(params, true), errors);
    PolicyCel cel = PolicyCel.of(params, true);
    if (spec.path("validations").isEmpty() && spec.path("auditAnnotations").isEmpty()) {
      String detail = "validations or auditAnnotations must contain at least one item";
      errors.add(FieldError.required("spec.validations", detail));
      errors.add(FieldError.required("spec.auditAnnotations", detail));
      return errors;
    }
    int i = 0;
    for (JsonNode validation : spec.path("validations")) {
      validation(validation, "spec.validations[" + i++ + "]", cel, errors);
    }
    Set<String> keys = new HashSet<>();
    i = 0;
    for (JsonNode annotation : spec.path("auditAnnotations")) {
      String path = "spec.auditAnnotations[" + i++ + "]";
      String key = annotation.path("key").asString("");
      expression(
          annotation.path("valueExpression").asString(""),
          path + ".valueExpression",
          "valueExpression is not specified",
          cel,
          errors);
      if (!keys.add(key)) {
        errors.add(FieldError.duplicate(path + ".key", key));
      }
    }
    return errors;
  }

  private static void validation(
      JsonNode validation, String path, PolicyCel cel, List<FieldError> errors) {
    expression(
        validation.path("expression").asString(""),
        path + ".expression",
        "expression is not specified",
        cel,
        errors);
    String messageExpression = validation.path("messageExpression").asString("");
    if (!messageExpression.isEmpty() && messageExpression.isBlank()) {
      errors.add(
          FieldError.invalid(
              path + ".messageExpression", messageExpression, "must be non-empty if specified"));
    } else if (!messageExpression.isEmpty()) {
      compiles(messageExpression, path + ".messageExpression", cel, errors);
    }
    String message = validation.path("message").asString("");
    if (!message.isEmpty() && message.isBlank()) {
      errors.add(
          FieldError.invalid(path + ".message", message, "message must be non-empty if specified"));
    } else if (message.strip().contains("\n") || message.strip().contains("\r")) {
      errors.add(
          FieldError.invalid(path + ".message", message, "message must not contain line breaks"));
    }
    if (validation.hasNonNull("reason")
        && !REASONS.contains(validation.path("reason").asString(""))) {
      errors.add(
          FieldError.notSupported(
              path + ".reason", validation.path("reason").asString(""), REASONS));
    }
  }

  /** Checks a binding's matchResources or a policy's matchConstraints. */
  static void matchResources(JsonNode match, String path, List<FieldError> errors) {
    for (String selector : List.of("namespaceSelector", "objectSelector")) {
      selector(match.path(selector), path + "." + selector, errors);
    }
    String matchPolicy = match.path("matchPolicy").asString("");
    if (matchPolicy.isEmpty()) {
      errors.add(FieldError.required(path + ".matchPolicy", ""));
    } else if (!MATCH_POLICIES.contains(matchPolicy)) {
      errors.add(FieldError.notSupported(path + ".matchPolicy", matchPolicy, MATCH_POLICIES));
    }
    for (String rules : List.of("resourceRules", "excludeResourceRules")) {
      int i = 0;
      for (JsonNode rule : match.path(rules)) {
        String rulePath = path + "." + rules + "[" + i++ + "]";
        int j = 0;
        for (JsonNode operation : rule.path("operations")) {
          if (!OPERATIONS.contains(operation.asString(""))) {
            errors.add(
                FieldError.notSupported(
                    rulePath + ".operations[" + j + "]", operation.asString(""), OPERATIONS));
          }
          j++;
        }
        String scope = rule.path("scope").asString("*");
        if (!SCOPES.contains(scope)) {
          errors.add(FieldError.notSupported(rulePath + ".scope", scope, SCOPES));
        }
      }
    }
  }

  /** A label selector that parses (operators, keys and values as Kubernetes allows them). */
  static void selector(JsonNode selector, String path, List<FieldError> errors) {
    if (!selector.isObject()) {
      return;
    }
    try {
      LabelSelector.fromJson(selector);
    } catch (IllegalArgumentException e) {
      errors.add(FieldError.invalid(path, selector.toString(), e.getMessage()));
    }
  }

  private static void matchConditions(JsonNode conditions, PolicyCel cel, List<FieldError> errors) {
    Set<String> names = new HashSet<>();
    int i = 0;
    for (JsonNode condition : conditions) {
      String path = "spec.matchConditions[" + i++ + "]";
      expression(condition.path("expression").asString(""), path + ".expression", "", cel, errors);
      String name = condition.path("name").asString("");
      if (name.isEmpty()) {
        errors.add(FieldError.required(path + ".name", ""));
      } else if (!names.add(name)) {
        errors.add(FieldError.duplicate(path + ".name", name));
      }
    }
  }

  private static void variables(JsonNode variables, PolicyCel cel, List<FieldError> errors) {
    int i = 0;
    for (JsonNode variable : variables) {
      String path = "spec.variables[" + i++ + "]";
      String name = variable.path("name").asString("");
      if (name.isBlank()) {
        errors.add(FieldError.required(path + ".name", "name is not specified"));
      } else if (!CEL_IDENTIFIER.matcher(name).matches() || CEL_RESERVED.contains(name)) {
        errors.add(FieldError.invalid(path + ".name", name, "name is not a valid CEL identifier"));
      }
      expression(
          variable.path("expression").asString(""),
          path + ".expression",
          "expression is not specified",
          cel,
          errors);
    }
  }

  private static void expression(
      String expression, String path, String missing, PolicyCel cel, List<FieldError> errors) {
    if (expression.isBlank()) {
      errors.add(FieldError.required(path, missing));
    } else {
      compiles(expression, path, cel, errors);
    }
  }

  private static void compiles(
      String expression, String path, PolicyCel cel, List<FieldError> errors) {
    String error = cel.compile(expression).compileError();
    if (error != null) {
      errors.add(FieldError.invalid(path, expression, error));
    }
  }
}
