package dev.skiff.apiserver.admission.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.node.ObjectNode;

/** Evaluation of a policy's expressions, without a server. */
class CompiledPolicyTest {
  private static final Object DEPLOYMENT =
      CelValues.of(
          parse(
              """
              {"apiVersion":"apps/v1","kind":"Deployment",
               "metadata":{"name":"web","namespace":"prod","labels":{"app":"web"}},
               "spec":{"replicas":6,"template":{"spec":{"containers":[
                 {"name":"a","image":"nginx:1.27"},{"name":"b","image":"busybox"}]}}}}
              """));
  private static final Object OLD_DEPLOYMENT =
      CelValues.of(
          parse(
              """
              {"metadata":{"name":"web","labels":{"app":"web","tier":"front"}},
               "spec":{"replicas":3}}
              """));
  private static final Object PARAMS =
      CelValues.of(
          parse(
              """
              {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"limits"},
               "data":{"maxReplicas":"5"}}
              """));
  private static final Object REQUEST =
      CelValues.of(
          parse(
              """
              {"operation":"UPDATE","namespace":"prod","name":"web",
               "userInfo":{"username":"jane","groups":["dev"]}}
              """));

  private static ObjectNode parse(String json) {
    return (ObjectNode) Json.MAPPER.readTree(json);
  }

  private static CompiledPolicy policy(String spec) {
    ObjectNode policy = parse("{\"metadata\":{\"name\":\"p\"},\"spec\":" + spec + "}");
    return CompiledPolicy.of(policy);
  }

  private static List<PolicyDecision> validate(String spec) {
    return policy(spec)
        .evaluate(new CompiledPolicy.Input(DEPLOYMENT, OLD_DEPLOYMENT, REQUEST, PARAMS, null))
        .decisions();
  }

  private static String validation(String expression) {
    return "{\"paramKind\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"},"
        + "\"validations\":[{\"expression\":"
        + Json.MAPPER.writeValueAsString(expression)
        + "}]}";
  }

  record Case(String name, String expression, boolean denied) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> expressions() {
    return Stream.of(
        new Case("object field", "object.spec.replicas <= 5", true),
        new Case("object field within limit", "object.spec.replicas <= 6", false),
        new Case("oldObject", "object.spec.replicas - oldObject.spec.replicas == 3", false),
        new Case("params", "object.spec.replicas <= int(params.data.maxReplicas)", true),
        new Case("request", "request.userInfo.username == 'jane'", false),
        new Case("request operation", "request.operation == 'CREATE'", true),
        new Case("labels map", "object.metadata.labels['app'] == 'web'", false),
        new Case(
            "macro over containers",
            "object.spec.template.spec.containers.all(c, c.image.contains(':'))",
            true),
        new Case("has", "has(object.spec.paused)", true),
        new Case("optional field", "object.spec.?paused.orValue(false) == false", false),
        new Case("mixed numbers", "object.spec.replicas > 5.5", false),
        new Case("strings extension", "object.metadata.name.upperAscii() == 'WEB'", false),
        new Case("null namespaceObject", "namespaceObject == null", false),
        new Case("label removed on update", "!('tier' in object.metadata.labels)", false),
        new Case("quantity", "quantity('1Gi').isGreaterThan(quantity('512Mi'))", false),
        new Case(
            "quantity arithmetic",
            "quantity('1500m').add(1).compareTo(quantity('2.5')) == 0",
            false),
        new Case("quantity as integer", "quantity('2k').asInteger() == 2000", false),
        new Case("isQuantity", "isQuantity('10Mi') && !isQuantity('ten')", false),
        new Case("lists sum", "[1, 2, 3].sum() == 6", false),
        new Case("lists min max", "[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3", false),
        new Case("lists isSorted", "[1, 2, 2].isSorted() && ![2, 1].isSorted()", false),
        new Case("lists indexOf", "['a', 'b', 'a'].lastIndexOf('a') == 2", false),
        new Case(
            "regex find",
            "object.spec.template.spec.containers[0].image.find('[0-9.]+$') == '1.27'",
            false),
        new Case("regex findAll", "'a1b22c333'.findAll('[0-9]+', 2) == ['1', '22']", false));
  }

  @ParameterizedTest
  @MethodSource("expressions")
  void evaluatesExpressions(Case c) {
    List<PolicyDecision> decisions = validate(validation(c.expression()));
    assertThat(decisions).hasSize(1);
    assertThat(decisions.get(0).deny()).isEqualTo(c.denied());
    assertThat(decisions.get(0).error()).isFalse();
  }

  @Test
  void messageDefaultsToTheFailedExpression() {
    assertThat(validate(validation("  object.spec.replicas <= 5 ")))
        .containsExactly(PolicyDecision.deny("failed expression: object.spec.replicas <= 5", null));
  }

  @Test
  void messageExpressionWinsOverMessageAndFallsBackWhenUnusable() {
    assertThat(
            validate(
                """
                {"validations":[
                  {"expression":"object.spec.replicas <= 5","message":"static",
                   "messageExpression":"'replicas ' + string(object.spec.replicas) + ' > 5'",
                   "reason":"Forbidden"},
                  {"expression":"false","message":" static ","messageExpression":"42"},
                  {"expression":"false","message":"static","messageExpression":"'two\\nlines'"},
                  {"expression":"false","messageExpression":"object.missing"}]}
                """))
        .containsExactly(
            PolicyDecision.deny("replicas 6 > 5", "Forbidden"),
            PolicyDecision.deny("static", null),
            PolicyDecision.deny("static", null),
            PolicyDecision.deny("failed expression: false", null));
  }

  @Test
  void variablesAreEvaluatedLazilyAndMayUseEarlierOnes() {
    String spec =
        """
        {"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},
         "variables":[
          {"name":"limit","expression":"int(params.data.maxReplicas)"},
          {"name":"over","expression":"object.spec.replicas > variables.limit"},
          {"name":"broken","expression":"object.spec.missing"}],
         "validations":[
          {"expression":"!variables.over","messageExpression":"'over ' + string(variables.limit)"},
          {"expression":"variables.limit == 5"}]}
        """;
    // "broken" is never used, so it never fails
    assertThat(validate(spec))
        .containsExactly(PolicyDecision.deny("over 5", null), PolicyDecision.admit());
  }

  @Test
  void aVariableThatFailsFailsTheValidationThatUsesIt() {
    List<PolicyDecision> decisions =
        validate(
            """
            {"variables":[{"name":"broken","expression":"object.spec.missing > 1"}],
             "validations":[{"expression":"variables.broken"}]}
            """);
    assertThat(decisions).hasSize(1);
    assertThat(decisions.get(0).deny()).isTrue();
    assertThat(decisions.get(0).error()).isTrue();
    assertThat(decisions.get(0).message())
        .startsWith("expression 'variables.broken' resulted in error: ")
        .contains("composited variable \"broken\" fails to evaluate: no such key: missing");
  }

  @Test
  void matchConditionsSkipThePolicyWhenAnyIsFalse() {
    String conditions =
        """
        {"matchConditions":[
           {"name":"is-update","expression":"request.operation == 'UPDATE'"},
           {"name":"not-jane","expression":"request.userInfo.username != 'jane'"}],
         "validations":[{"expression":"false"}]}
        """;
    assertThat(validate(conditions)).isEmpty();
    String matching =
        """
        {"matchConditions":[{"name":"is-update","expression":"request.operation == 'UPDATE'"}],
         "validations":[{"expression":"false"}]}
        """;
    assertThat(validate(matching))
        .containsExactly(PolicyDecision.deny("failed expression: false", null));
  }

  @Test
  void matchConditionsCannotSeeVariables() {
    CompiledPolicy policy =
        policy(
            """
            {"variables":[{"name":"a","expression":"true"}],
             "matchConditions":[{"name":"m","expression":"variables.a"}],
             "validations":[{"expression":"true"}]}
            """);
    assertThat(policy.expressionWarnings())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.fieldRef()).isEqualTo("spec.matchConditions[0].expression");
              assertThat(w.warning()).contains("undeclared reference to 'variables'");
            });
  }

  @Test
  void runtimeErrorsFollowTheFailurePolicy() {
    String failing = "{\"validations\":[{\"expression\":\"object.spec.missing > 1\"}]}";
    assertThat(validate(failing))
        .containsExactly(
            PolicyDecision.error(
                "expression 'object.spec.missing > 1' resulted in error: no such key: missing"));
    String ignoring =
        "{\"failurePolicy\":\"Ignore\",\"validations\":[{\"expression\":\"object.spec.missing > 1\"}]}";
    List<PolicyDecision> ignored = validate(ignoring);
    assertThat(ignored).hasSize(1);
    assertThat(ignored.get(0).deny()).isFalse();
    assertThat(ignored.get(0).error()).isTrue();
  }

  @Test
  void compileErrorsAreReportedAndDenyUnderFail() {
    CompiledPolicy policy =
        policy(
            """
            {"validations":[{"expression":"object.spec.replicas <= 5"},
                            {"expression":"1 + 'a' == 2","messageExpression":"'x' +"}]}
            """);
    assertThat(policy.expressionWarnings())
        .extracting(CompiledPolicy.ExpressionWarning::fieldRef)
        .containsExactly("spec.validations[1].expression", "spec.validations[1].messageExpression");
    assertThat(policy.expressionWarnings().get(0).warning())
        .startsWith("compilation failed: ERROR: <input>:1:3: found no matching overload for '_+_'");
    List<PolicyDecision> decisions =
        policy
            .evaluate(new CompiledPolicy.Input(DEPLOYMENT, null, REQUEST, null, null))
            .decisions();
    assertThat(decisions.get(0).deny()).isTrue();
    assertThat(decisions.get(1).error()).isTrue();
    assertThat(decisions.get(1).message())
        .startsWith("compilation error: compilation failed: ERROR:");
  }

  @Test
  void auditAnnotationsPublishStringsAndFailOnOtherTypes() {
    CompiledPolicy policy =
        policy(
            """
            {"auditAnnotations":[
               {"key":"replicas","valueExpression":"'replicas=' + string(object.spec.replicas)"},
               {"key":"none","valueExpression":"null"},
               {"key":"blank","valueExpression":"'  '"},
               {"key":"number","valueExpression":"object.spec.replicas"}],
             "validations":[{"expression":"true"}]}
            """);
    CompiledPolicy.Result result =
        policy.evaluate(new CompiledPolicy.Input(DEPLOYMENT, null, REQUEST, null, null));
    assertThat(result.decisions()).containsExactly(PolicyDecision.admit());
    assertThat(result.annotations())
        .containsExactly(new CompiledPolicy.AuditAnnotation("replicas", "replicas=6"));
    assertThat(result.annotationErrors())
        .containsExactly(
            PolicyDecision.error(
                "valueExpression 'object.spec.replicas' resulted in unsupported return type: int."
                    + " Return type must be either string or null."));
  }

  @Test
  void paramsAreDeclaredOnlyWithAParamKind() {
    assertThat(
            policy("{\"validations\":[{\"expression\":\"params == null\"}]}").expressionWarnings())
        .singleElement()
        .satisfies(w -> assertThat(w.warning()).contains("undeclared reference to 'params'"));
  }
}
