package dev.skiff.api.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FieldSelectorTest {
  private static final Map<String, String> POD =
      Map.of(
          "metadata.name", "web-1",
          "metadata.namespace", "default",
          "spec.nodeName", "node-a",
          "status.phase", "Running",
          "metadata.annotations.x", "a,b=c");

  record MatchCase(String name, String selector, boolean matches) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<MatchCase> matchCases() {
    return Stream.of(
        new MatchCase("empty", "", true),
        new MatchCase("equals", "metadata.name=web-1", true),
        new MatchCase("double equals", "metadata.name==web-1", true),
        new MatchCase("equals other", "metadata.name=web-2", false),
        new MatchCase("not equals", "status.phase!=Pending", true),
        new MatchCase("not equals same", "status.phase!=Running", false),
        new MatchCase("and", "spec.nodeName=node-a,metadata.namespace=default", true),
        new MatchCase("and failing", "spec.nodeName=node-a,metadata.namespace=kube-system", false),
        new MatchCase("missing field equals empty", "spec.other=", true),
        new MatchCase("missing field not equals empty", "spec.other!=", false),
        new MatchCase("empty value", "spec.nodeName=", false),
        new MatchCase("empty terms skipped", ",metadata.name=web-1,", true),
        new MatchCase("escaped value", "metadata.annotations.x=a\\,b\\=c", true));
  }

  @ParameterizedTest
  @MethodSource("matchCases")
  void matches(MatchCase c) {
    assertThat(FieldSelector.parse(c.selector()).matches(POD)).isEqualTo(c.matches());
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
            "no operator",
            "metadata.name",
            "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        new ErrorCase(
            "unescaped equals in value",
            "a=b=c",
            "invalid field selector: unescaped character in value: 61"),
        new ErrorCase(
            "bad escape", "a=b\\x", "invalid field selector: invalid escape sequence: \\x"),
        new ErrorCase(
            "trailing backslash", "a=b\\", "invalid field selector: invalid escape sequence: \\"));
  }

  @ParameterizedTest
  @MethodSource("errorCases")
  void rejects(ErrorCase c) {
    assertThatThrownBy(() -> FieldSelector.parse(c.selector()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(c.message());
  }

  @Test
  void rejectsUnsupportedFieldsWithKubernetesMessage() {
    FieldSelector s = FieldSelector.parse("metadata.name=a,spec.nodeName=n");
    assertThat(s.requireSupported(java.util.Set.of("spec.nodeName"))).isSameAs(s);
    assertThatThrownBy(() -> s.requireSupported(java.util.Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field label not supported: spec.nodeName");
  }

  @Test
  void exposesSortedRequirementsForFieldValidation() {
    FieldSelector s = FieldSelector.parse("status.phase!=Failed,spec.nodeName==n1");
    assertThat(s.requirements())
        .containsExactly(
            new FieldRequirement("spec.nodeName", true, "n1"),
            new FieldRequirement("status.phase", false, "Failed"));
    assertThat(s.toString()).isEqualTo("spec.nodeName=n1,status.phase!=Failed");
    assertThat(s.requiresExactMatch("spec.nodeName")).contains("n1");
    assertThat(s.requiresExactMatch("status.phase")).isEmpty();
    assertThat(s.without("spec.nodeName").toString()).isEqualTo("status.phase!=Failed");
    assertThat(FieldSelector.parse("a=x\\,y").toString()).isEqualTo("a=x\\,y");
    assertThat(FieldSelector.parse(null).isEverything()).isTrue();
  }
}
