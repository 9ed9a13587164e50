package dev.skiff.apiserver.admission.policy;

import dev.skiff.apiserver.admission.policy.PolicyCel.CompiledExpression;
import dev.skiff.apiserver.admission.policy.PolicyCel.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The matchConditions of one admission webhook (admissionregistration.k8s.io/v1), compiled once in
 * the CEL environment of ValidatingAdmissionPolicy's matchConditions ({@link PolicyCel}, without
 * params and variables): the variables {@code object}, {@code oldObject} and {@code request}; the
 * {@code authorizer} variable is not declared. The webhook is called when every condition is true;
 * any false condition skips it, even when another failed to evaluate; otherwise an evaluation error
 * is reported for the webhook's failurePolicy to decide.
 *
 * <pre>{@code
 * WebhookMatchConditions conditions = WebhookMatchConditions.compile(webhook.path("matchConditions"));
 * WebhookMatchConditions.Result result = conditions.evaluate(object, oldObject, requestWithoutObjects);
 * }</pre>
 */
public final class WebhookMatchConditions {
  /** Kubernetes accepts at most this many matchConditions per webhook. */
  public static final int MAX_CONDITIONS = 64;

  public static final WebhookMatchConditions NONE = new WebhookMatchConditions(List.of());

  private record Condition(String name, CompiledExpression expression) {}

  private final List<Condition> conditions;

  private WebhookMatchConditions(List<Condition> conditions) {
    this.conditions = List.copyOf(conditions);
  }

  /**
   * Compiles the {@code matchConditions} array ({name, expression} objects); a missing or empty
   * array gives {@link #NONE}. An expression that does not compile is kept and reports a
   * "compilation error" each time it is evaluated.
   */
  public static WebhookMatchConditions compile(JsonNode matchConditions) {
    if (matchConditions == null || !matchConditions.isArray() || matchConditions.isEmpty()) {
      return NONE;
    }
    PolicyCel cel = PolicyCel.of(false, false);
    List<Condition> compiled = new ArrayList<>();
    for (JsonNode condition : matchConditions) {
      compiled.add(
          new Condition(
              condition.path("name").asString(""),
              cel.compile(condition.path("expression").asString(""))));
    }
    return new WebhookMatchConditions(compiled);
  }

  public boolean isEmpty() {
    return conditions.isEmpty();
  }

  public int size() {
    return conditions.size();
  }

  /**
   * What the conditions decided for one request.
   *
   * @param matches true when the webhook is to be called
   * @param failedCondition the name of a condition that was false, or null
   * @param error the evaluation errors (one message, or several as {@code [a, b]}), or null
   */
  public record Result(boolean matches, String failedCondition, String error) {
    static final Result MATCH = new Result(true, null, null);
  }

  /**
   * Evaluates the conditions in order.
   *
   * @param object the object being written, null for a DELETE or CONNECT
   * @param oldObject the stored object of an UPDATE or DELETE, else null
   * @param request the admission.k8s.io/v1 AdmissionRequest fields (without object and oldObject)
   */
  public Result evaluate(JsonNode object, JsonNode oldObject, JsonNode request) {
    if (conditions.isEmpty()) {
      return Result.MATCH;
    }
    Map<String, Object> activation = new HashMap<>();
    activation.put(PolicyCel.OBJECT, CelValues.of(object));
    activation.put(PolicyCel.OLD_OBJECT, CelValues.of(oldObject));
    activation.put(PolicyCel.REQUEST, CelValues.of(request));
    activation.put(PolicyCel.NAMESPACE_OBJECT, CelValues.of(null));
    List<String> errors = new ArrayList<>();
    for (Condition condition : conditions) {
      Outcome outcome = condition.expression().evaluate(activation);
      if (outcome.failed()) {
        errors.add(outcome.error());
      } else if (Boolean.FALSE.equals(outcome.value())) {
        return new Result(false, condition.name(), null);
      } else if (!(outcome.value() instanceof Boolean)) {
        // Kubernetes refuses such an expression when the configuration is written
        errors.add(
            "expression '" + condition.expression().expression() + "' did not evaluate to a bool");
      }
    }
    if (errors.isEmpty()) {
      return Result.MATCH;
    }
    return new Result(
        false, null, errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]");
  }
}
