package dev.skiff.apiserver.admission.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.skiff.apiserver.admission.policy.PolicyCel.CompiledExpression;
import dev.skiff.apiserver.admission.policy.PolicyCel.Outcome;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One ValidatingAdmissionPolicy with its expressions compiled once: evaluates matchConditions, then
 * each validation (variables lazily, at most once per request), into one decision per validation,
 * as Kubernetes' validator does. Compile and runtime errors become decisions governed by {@code
 * failurePolicy} (Fail, the default: deny; Ignore: admit).
 */
final class CompiledPolicy {
  /** Kubernetes drops a messageExpression result longer than this (5 KiB). */
  static final int MAX_MESSAGE_BYTES = 5 * 1024;

  record Named(String name, CompiledExpression expression) {}

  record Validation(
      CompiledExpression expression,
      String message,
      CompiledExpression messageExpression,
      String reason) {}

  /** A type-check finding recorded in status.typeChecking.expressionWarnings. */
  record ExpressionWarning(String fieldRef, String warning) {}

  /** The paramKind a policy names, e.g. v1 ConfigMap. */
  record ParamKind(String apiVersion, String kind) {}

  /** The objects one evaluation sees; absent ones are null. */
  record Input(
      Object object, Object oldObject, Object request, Object params, Object namespaceObject) {
    Map<String, Object> activation() {
      Map<String, Object> activation = new HashMap<>();
      activation.put(PolicyCel.OBJECT, nullable(object));
      activation.put(PolicyCel.OLD_OBJECT, nullable(oldObject));
      activation.put(PolicyCel.REQUEST, nullable(request));
      activation.put(PolicyCel.PARAMS, nullable(params));
      activation.put(PolicyCel.NAMESPACE_OBJECT, nullable(namespaceObject));
      return activation;
    }

    private static Object nullable(Object value) {
      return value == null ? CelValues.of(null) : value;
    }
  }

  private final String name;
  private final long generation;
  private final boolean ignoreFailures;
  private final ParamKind paramKind;
  private final MatchResources constraints;
  private final List<Named> matchConditions;
  private final Map<String, CompiledExpression> variables;
  private final List<Validation> validations;
  private final List<Named> auditAnnotations;
  private final List<ExpressionWarning> warnings;
  private final JsonNode status;

  private CompiledPolicy(ObjectNode policy) {
    this.status = policy.path("status").deepCopy();
    JsonNode spec = policy.path("spec");
    this.name = policy.path("metadata").path("name").asString("");
    this.generation = policy.path("metadata").path("generation").asLong(0);
    this.ignoreFailures = "Ignore".equals(spec.path("failurePolicy").asString("Fail"));
    JsonNode kind = spec.path("paramKind");
    this.paramKind =
        kind.isObject()
            ? new ParamKind(kind.path("apiVersion").asString(""), kind.path("kind").asString(""))
            : null;
    MatchResources parsed = null;
    if (spec.path("matchConstraints").isObject()) {
      try {
        parsed = MatchResources.of(spec.path("matchConstraints"));
      } catch (IllegalArgumentException e) {
        // a selector the registry now refuses, stored before it checked: the policy matches nothing
        parsed = null;
      }
    }
    this.constraints = parsed;
    List<ExpressionWarning> found = new ArrayList<>();
    List<Named> conditions = new ArrayList<>();
    int i = 0;
    for (JsonNode condition : spec.path("matchConditions")) {
      CompiledExpression expression =
          PolicyCel.of(paramKind != null, false).compile(condition.path("expression").asString(""));
      note(found, "spec.matchConditions[" + i++ + "].expression", expression);
      conditions.add(new Named(condition.path("name").asString(""), expression));
    }
    Map<String, CompiledExpression> vars = new LinkedHashMap<>();
    i = 0;
    for (JsonNode variable : spec.path("variables")) {
      CompiledExpression expression =
          PolicyCel.of(paramKind != null, true).compile(variable.path("expression").asString(""));
      note(found, "spec.variables[" + i++ + "].expression", expression);
      vars.put(variable.path("name").asString(""), expression);
    }
    List<Validation> checks = new ArrayList<>();
    i = 0;
    for (JsonNode validation : spec.path("validations")) {
      CompiledExpression expression =
          PolicyCel.of(paramKind != null, true).compile(validation.path("expression").asString(""));
      note(found, "spec.validations[" + i + "].expression", expression);
      CompiledExpression messageExpression = null;
      if (validation.hasNonNull("messageExpression")) {
        messageExpression =
            PolicyCel.of(paramKind != null, true)
                .compile(validation.path("messageExpression").asString(""));
        note(found, "spec.validations[" + i + "].messageExpression", messageExpression);
      }
      checks.add(
          new Validation(
              expression,
              validation.path("message").asString(""),
              messageExpression,
              validation.hasNonNull("reason") ? validation.path("reason").asString() : null));
      i++;
    }
    List<Named> annotations = new ArrayList<>();
    i = 0;
    for (JsonNode annotation : spec.path("auditAnnotations")) {
      CompiledExpression expression =
          PolicyCel.of(paramKind != null, true)
              .compile(annotation.path("valueExpression").asString(""));
      note(found, "spec.auditAnnotations[" + i++ + "].valueExpression", expression);
      annotations.add(new Named(annotation.path("key").asString(""), expression));
    }
    this.auditAnnotations = List.copyOf(annotations);
    this.matchConditions = List.copyOf(conditions);
    this.variables = vars;
    this.validations = List.copyOf(checks);
    this.warnings = List.copyOf(found);
  }

  static CompiledPolicy of(ObjectNode policy) {
    return new CompiledPolicy(policy);
  }

  private static void note(
      List<ExpressionWarning> warnings, String fieldRef, CompiledExpression expression) {
    if (expression.compileError() != null) {
      warnings.add(new ExpressionWarning(fieldRef, expression.compileError()));
    }
  }

  String name() {
    return name;
  }

  long generation() {
    return generation;
  }

  boolean ignoreFailures() {
    return ignoreFailures;
  }

  ParamKind paramKind() {
    return paramKind;
  }

  /** The match constraints, or null when the policy has none (it then matches nothing). */
  MatchResources constraints() {
    return constraints;
  }

  /** The status stored with the policy (a missing node when none). */
  JsonNode status() {
    return status;
  }

  /** Expressions that do not compile, for status.typeChecking. */
  List<ExpressionWarning> expressionWarnings() {
    return warnings;
  }

  /** An audit annotation to publish: {@code key} is the policy's own key, without its name. */
  record AuditAnnotation(String key, String value) {}

  /**
   * What one evaluation decided.
   *
   * @param decisions one per validation, or one error decision; none when a matchCondition is false
   * @param annotations the auditAnnotations with a non-empty string value
   * @param annotationErrors auditAnnotations that failed under failurePolicy Fail (they deny)
   */
  record Result(
      List<PolicyDecision> decisions,
      List<AuditAnnotation> annotations,
      List<PolicyDecision> annotationErrors) {
    static Result of(List<PolicyDecision> decisions) {
      return new Result(decisions, List.of(), List.of());
    }
  }

  /** Evaluates the policy for one request and one param object. */
  Result evaluate(Input input) {
    Map<String, Object> base = input.activation();
    List<String> conditionErrors = new ArrayList<>();
    for (Named condition : matchConditions) {
      Outcome outcome = condition.expression().evaluate(base);
      if (outcome.failed()) {
        conditionErrors.add(outcome.error());
      } else if (Boolean.FALSE.equals(outcome.value())) {
        return Result.of(List.of());
      }
    }
    if (!conditionErrors.isEmpty()) {
      return Result.of(
          List.of(
              error(
                  conditionErrors.size() == 1
                      ? conditionErrors.get(0)
                      : "[" + String.join(", ", conditionErrors) + "]")));
    }
    Map<String, Object> activation = new HashMap<>(base);
    activation.put(PolicyCel.VARIABLES, new LazyVariables(variables, activation));
    List<PolicyDecision> decisions = new ArrayList<>();
    for (Validation validation : validations) {
      Outcome outcome = validation.expression().evaluate(activation);
      if (outcome.failed()) {
        decisions.add(error(outcome.error()));
      } else if (!Boolean.TRUE.equals(outcome.value())) {
        decisions.add(PolicyDecision.deny(message(validation, activation), validation.reason()));
      } else {
        decisions.add(PolicyDecision.admit());
      }
    }
    List<AuditAnnotation> annotations = new ArrayList<>();
    List<PolicyDecision> annotationErrors = new ArrayList<>();
    for (Named annotation : auditAnnotations) {
      Outcome outcome = annotation.expression().evaluate(activation);
      String failure = null;
      if (outcome.failed()) {
        failure = outcome.error();
      } else if (outcome.value() instanceof String text) {
        if (!text.isBlank()) {
          annotations.add(new AuditAnnotation(annotation.name(), text.strip()));
        }
      } else if (!CelValues.isNull(outcome.value())) {
        failure =
            "valueExpression '"
                + annotation.expression().expression()
                + "' resulted in unsupported return type: "
                + typeName(outcome.value())
                + ". Return type must be either string or null.";
      }
      if (failure != null && !ignoreFailures) {
        annotationErrors.add(PolicyDecision.error(failure));
      }
    }
    return new Result(decisions, annotations, annotationErrors);
  }

  private static String typeName(Object value) {
    return switch (value) {
      case Boolean b -> "bool";
      case Long l -> "int";
      case Double d -> "double";
      case List<?> l -> "list";
      case Map<?, ?> m -> "map";
      default -> value.getClass().getSimpleName();
    };
  }

  /** A configuration or evaluation error under this policy's failurePolicy. */
  PolicyDecision error(String message) {
    return ignoreFailures ? PolicyDecision.ignoredError(message) : PolicyDecision.error(message);
  }

  private static String message(Validation validation, Map<String, Object> activation) {
    String message = "";
    if (validation.messageExpression() != null) {
      Outcome outcome = validation.messageExpression().evaluate(activation);
      if (!outcome.failed() && outcome.value() instanceof String text) {
        message = text.strip();
        if (message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES
            || message.contains("\n")) {
          message = "";
        }
      }
    }
    if (message.isEmpty() && !validation.message().isEmpty()) {
      message = validation.message().strip();
    }
    if (message.isEmpty()) {
      message = "failed expression: " + validation.expression().expression().strip();
    }
    return message;
  }

  /**
   * {@code variables}: each evaluated on first use and remembered for the rest of the request; an
   * error surfaces where the variable is used, as Kubernetes' composited variables do.
   */
  private static final class LazyVariables extends AbstractMap<String, Object> {
    private final Map<String, CompiledExpression> definitions;
    private final Map<String, Object> activation;
    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, String> errors = new HashMap<>();
    private final Set<String> evaluating = new HashSet<>();

    LazyVariables(Map<String, CompiledExpression> definitions, Map<String, Object> activation) {
      this.definitions = definitions;
      this.activation = activation;
    }

    @Override
    public boolean containsKey(Object key) {
      return definitions.containsKey(key);
    }

    @Override
    public Object get(Object key) {
      if (!(key instanceof String name) || !definitions.containsKey(name)) {
        return null;
      }
      if (values.containsKey(name)) {
        return values.get(name);
      }
      if (!errors.containsKey(name)) {
        evaluate(name);
      }
      if (errors.containsKey(name)) {
        throw new IllegalStateException(errors.get(name));
      }
      return values.get(name);
    }

    private void evaluate(String name) {
      CompiledExpression expression = definitions.get(name);
      if (expression.compileError() != null) {
        errors.put(
            name,
            "composited variable \"" + name + "\" fails to compile: " + expression.compileError());
        return;
      }
      if (!evaluating.add(name)) {
        errors.put(name, "composited variable \"" + name + "\" refers to itself");
        return;
      }
      try {
        values.put(name, expression.program().eval(activation));
      } catch (CelEvaluationException | RuntimeException e) {
        errors.putIfAbsent(
            name,
            "composited variable \"" + name + "\" fails to evaluate: " + PolicyCel.describe(e));
      } finally {
        evaluating.remove(name);
      }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      Map<String, Object> all = new LinkedHashMap<>();
      for (String name : definitions.keySet()) {
        all.put(name, get(name));
      }
      return all.entrySet();
    }
  }
}
