package dev.skiff.api.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.Json;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class LabelSelectorTest {
  private static final Map<String, String> WEB =
      Map.of("app", "web", "tier", "frontend", "env", "prod", "replicas", "3");

  record MatchCase(String name, String selector, Map<String, String> labels, boolean matches) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<MatchCase> matchCases() {
    return Stream.of(
        new MatchCase("empty selects all", "", WEB, true),
        new MatchCase("blank selects all", "  ", Map.of(), true),
        new MatchCase("equals", "app=web", WEB, true),
        new MatchCase("equals other value", "app=db", WEB, false),
        new MatchCase("double equals", "app==web", WEB, true),
        new MatchCase("not equals differing", "app!=db", WEB, true),
        new MatchCase("not equals same", "app!=web", WEB, false),
        new MatchCase("not equals on missing label", "team!=x", WEB, true),
        new MatchCase("equals on missing label", "team=x", WEB, false),
        new MatchCase("exists", "app", WEB, true),
        new MatchCase("exists missing", "team", WEB, false),
        new MatchCase("does not exist", "!team", WEB, true),
        new MatchCase("does not exist present", "!app", WEB, false),
        new MatchCase("in", "env in (prod,staging)", WEB, true),
        new MatchCase("in without match", "env in (dev, staging)", WEB, false),
        new MatchCase("in on missing", "team in (a)", WEB, false),
        new MatchCase("notin", "env notin (dev,staging)", WEB, true),
        new MatchCase("notin with match", "env notin (prod)", WEB, false),
        new MatchCase("notin on missing", "team notin (a)", WEB, true),
        new MatchCase("and of all", "app=web,tier in (frontend),!legacy,env", WEB, true),
        new MatchCase("and with one failing", "app=web,tier=backend", WEB, false),
        new MatchCase("whitespace around operators", " app = web , env != dev ", WEB, true),
        new MatchCase("empty value equals empty label", "app=", Map.of("app", ""), true),
        new MatchCase("empty value not missing label", "app=", Map.of(), false),
        new MatchCase("empty set matches empty value", "app in ()", Map.of("app", ""), true),
        new MatchCase("gt", "replicas>2", WEB, true),
        new MatchCase("gt false", "replicas>3", WEB, false),
        new MatchCase("lt", "replicas<4", WEB, true),
        new MatchCase("gt on non-number label", "app>1", WEB, false),
        new MatchCase("keyword as key", "in=x", Map.of("in", "x"), true),
        new MatchCase("keyword as value", "a in (in,notin)", Map.of("a", "notin"), true),
        new MatchCase(
            "prefixed key", "example.com/app=web", Map.of("example.com/app", "web"), true));
  }

  @ParameterizedTest
  @MethodSource("matchCases")
  void matches(MatchCase c) {
    assertThat(LabelSelector.parse(c.selector()).matches(c.labels())).isEqualTo(c.matches());
  }

  record ErrorCase(String name, String selector, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<ErrorCase> errorCases() {
    return Stream.of(
        new ErrorCase(
            "leading comma", ",a", "found ',', expected: !, identifier, or 'end of string'"),
        new ErrorCase("trailing comma", "a=b,", "found '', expected: identifier after ','"),
        new ErrorCase(
            "missing operator",
            "a b",
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        new ErrorCase(
            "in without parenthesis",
            "a in b",
            "unable to parse requirement: found 'b' expected: '('"),
        new ErrorCase(
            "unclosed set",
            "a in (b",
            "unable to parse requirement: found '', expected: ',' or ')'"),
        new ErrorCase(
            "garbage after requirement", "a=b)", "found ')', expected: ',' or 'end of string'"),
        new ErrorCase(
            "bang without key", "!", "unable to parse requirement: found '', expected: identifier"),
        new ErrorCase(
            "invalid key",
            "a$b=c",
            "unable to parse requirement: <nil>: Invalid value: \"a$b\": name part must consist of"
                + " alphanumeric characters, '-', '_' or '.', and must start and end with an"
                + " alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used"
                + " for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        new ErrorCase(
            "invalid value",
            "a=b$",
            "unable to parse requirement: values[0][a]: Invalid value: \"b$\": a valid label must be"
                + " an empty string or consist of alphanumeric characters, '-', '_' or '.', and"
                + " must start and end with an alphanumeric character (e.g. 'MyValue',  or"
                + " 'my_value',  or '12345', regex used for validation is"
                + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        new ErrorCase(
            "gt with non-integer",
            "a>b",
            "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt'"
                + " operators, the value must be an integer"),
        new ErrorCase(
            "unknown symbol",
            "a=>b",
            "unable to parse requirement: found '>', expected: identifier"));
  }

  @ParameterizedTest
  @MethodSource("errorCases")
  void rejectsWithKubernetesMessages(ErrorCase c) {
    assertThatThrownBy(() -> LabelSelector.parse(c.selector()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(c.message());
  }

  @Test
  void printsCanonicallySortedByKey() {
    assertThat(LabelSelector.parse("z=1, a in (c,b,c), !m, e, x>5, y notin (q)").toString())
        .isEqualTo("a in (b,c),e,!m,x>5,y notin (q),z=1");
    assertThat(LabelSelector.parse("").toString()).isEmpty();
  }

  @Test
  void everythingAndNothing() {
    assertThat(LabelSelector.parse("").isEverything()).isTrue();
    assertThat(LabelSelector.parse(null).isEverything()).isTrue();
    assertThat(LabelSelector.parse("a").isEverything()).isFalse();
    assertThat(LabelSelector.nothing().matches(WEB)).isFalse();
    assertThat(LabelSelector.nothing().isEverything()).isFalse();
    assertThat(LabelSelector.everything().matches(null)).isTrue();
  }

  @Test
  void fromMetaV1Json() {
    LabelSelector s =
        LabelSelector.fromJson(
            Json.MAPPER.readTree(
                """
                {"matchLabels": {"app": "web"},
                 "matchExpressions": [
                   {"key": "env", "operator": "In", "values": ["prod", "staging"]},
                   {"key": "legacy", "operator": "DoesNotExist"},
                   {"key": "tier", "operator": "Exists"},
                   {"key": "team", "operator": "NotIn", "values": ["x"]}]}
                """));
    assertThat(s.matches(WEB)).isTrue();
    assertThat(s.matches(Map.of("app", "web", "env", "dev", "tier", "a"))).isFalse();
    assertThat(s.toString()).isEqualTo("app=web,env in (prod,staging),!legacy,team notin (x),tier");
    assertThat(LabelSelector.fromJson(Json.MAPPER.readTree("{}")).isEverything()).isTrue();
    assertThat(LabelSelector.fromJson(null).isNothing()).isTrue();
    assertThat(LabelSelector.fromJson(Json.MAPPER.readTree("null")).matches(WEB)).isFalse();
  }

  @Test
  void fromMetaV1JsonRejectsBadExpressions() {
    assertThatThrownBy(
            () ->
                LabelSelector.fromJson(
                    Json.MAPPER.readTree(
                        "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Gt\",\"values\":[\"1\"]}]}")))
        .hasMessage("\"Gt\" is not a valid label selector operator");
    assertThatThrownBy(
            () ->
                LabelSelector.fromJson(
                    Json.MAPPER.readTree(
                        "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\",\"values\":[]}]}")))
        .hasMessage(
            "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be"
                + " empty");
    assertThatThrownBy(
            () ->
                LabelSelector.fromJson(
                    Json.MAPPER.readTree(
                        "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}")))
        .hasMessage(
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does"
                + " not exist");
  }

  @Test
  void fromFabric8Model() {
    var model =
        new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
            .addToMatchLabels("app", "web")
            .addNewMatchExpression()
            .withKey("env")
            .withOperator("NotIn")
            .withValues("dev")
            .endMatchExpression()
            .build();
    LabelSelector s = LabelSelector.fromModel(model);
    assertThat(s.matches(WEB)).isTrue();
    assertThat(s.matches(Map.of("app", "web", "env", "dev"))).isFalse();
    assertThat(LabelSelector.fromModel(null).isNothing()).isTrue();
  }

  @Test
  void exactMatchForIndexes() {
    LabelSelector s = LabelSelector.parse("app=web,env in (prod),tier in (a,b)");
    assertThat(s.requiresExactMatch("app")).contains("web");
    assertThat(s.requiresExactMatch("env")).contains("prod");
    assertThat(s.requiresExactMatch("tier")).isEmpty();
    assertThat(LabelSelector.fromMap(Map.of("a", "b")).toString()).isEqualTo("a=b");
  }
}
