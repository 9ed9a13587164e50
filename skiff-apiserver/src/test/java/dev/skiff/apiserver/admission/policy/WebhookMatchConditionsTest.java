package dev.skiff.apiserver.admission.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import dev.skiff.apiserver.admission.policy.WebhookMatchConditions.Result;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** A webhook's matchConditions evaluated without a server. */
class WebhookMatchConditionsTest {
  private static final JsonNode OBJECT =
      parse("{\"metadata\":{\"name\":\"cm\",\"labels\":{\"team\":\"a\"}}}");
  private static final JsonNode OLD_OBJECT = parse("{\"metadata\":{\"name\":\"cm\"}}");
  private static final JsonNode REQUEST =
      parse(
          "{\"operation\":\"UPDATE\",\"namespace\":\"prod\","
              + "\"userInfo\":{\"username\":\"alice\",\"groups\":[\"dev\"]}}");

  private static JsonNode parse(String json) {
    return Json.MAPPER.readTree(json);
  }

  /** A matchConditions array of {name, expression}, named c0, c1, ... in order. */
  private static WebhookMatchConditions conditions(String... expressions) {
    var array = Json.MAPPER.createArrayNode();
    for (int i = 0; i < expressions.length; i++) {
      array.add(Json.object().put("name", "c" + i).put("expression", expressions[i]));
    }
    return WebhookMatchConditions.compile(array);
  }

  static Stream<Arguments> cases() {
    String missing = "object.metadata.labels.missing == 'x'";
    String missingError = "expression '" + missing + "' resulted in error: no such key: missing";
    return Stream.of(
        Arguments.of(new String[] {}, new Result(true, null, null)),
        Arguments.of(
            new String[] {
              "object.metadata.labels.team == 'a'",
              "!has(oldObject.metadata.labels)",
              "request.operation == 'UPDATE' && request.userInfo.username == 'alice'",
              "'dev' in request.userInfo.groups"
            },
            new Result(true, null, null)),
        Arguments.of(
            new String[] {"true", "request.namespace == 'staging'"}, new Result(false, "c1", null)),
        // a false condition skips the webhook even when another fails to evaluate
        Arguments.of(new String[] {missing, "false"}, new Result(false, "c1", null)),
        Arguments.of(new String[] {missing, "true"}, new Result(false, null, missingError)),
        Arguments.of(
            new String[] {missing, "oldObject.metadata.labels.team == 'a'"},
            new Result(
                false,
                null,
                "["
                    + missingError
                    + ", expression 'oldObject.metadata.labels.team == 'a'' resulted in error:"
                    + " no such key: labels]")),
        Arguments.of(
            new String[] {"object.metadata.name"},
            new Result(
                false, null, "expression 'object.metadata.name' did not evaluate to a bool")));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void allMustBeTrueAndAFalseOneWinsOverErrors(String[] expressions, Result expected) {
    assertThat(conditions(expressions).evaluate(OBJECT, OLD_OBJECT, REQUEST)).isEqualTo(expected);
  }

  @Test
  void anExpressionThatDoesNotCompileFailsToEvaluate() {
    Result result = conditions("object.metadata.(").evaluate(OBJECT, null, REQUEST);
    assertThat(result.matches()).isFalse();
    assertThat(result.error()).startsWith("compilation error: compilation failed: ");
  }
}
