package dev.skiff.kubelet.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExpansionTest {
  record Case(String name, String input, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("plain text", "hello", "hello"),
        new Case("one reference", "$(VAR_A)", "A"),
        new Case("references inside text", "x-$(VAR_A)-$(VAR_B)-y", "x-A-B-y"),
        new Case("unknown reference stays", "$(NOPE)", "$(NOPE)"),
        new Case("escaped reference", "$$(VAR_A)", "$(VAR_A)"),
        new Case("double escape then reference", "$$$(VAR_A)", "$A"),
        new Case("escaped dollar", "a$$b", "a$b"),
        new Case("lone dollar at end", "cost$", "cost$"),
        new Case("dollar before other char", "$VAR_A", "$VAR_A"),
        new Case("unterminated reference", "$(VAR_A", "$(VAR_A"),
        new Case("empty name", "$()", "$()"),
        new Case("empty value", "[$(EMPTY)]", "[]"),
        new Case(
            "reference to a value with a reference is not re-expanded", "$(NESTED)", "$(VAR_A)"),
        new Case("second context", "$(SVC)", "10.0.0.1"),
        new Case("first context wins", "$(BOTH)", "first"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void expandsAsKubernetes(Case c) {
    var mapping =
        Expansion.mappingFor(
            Map.of("VAR_A", "A", "VAR_B", "B", "EMPTY", "", "NESTED", "$(VAR_A)", "BOTH", "first"),
            Map.of("SVC", "10.0.0.1", "BOTH", "second"));

    assertThat(Expansion.expand(c.input(), mapping)).isEqualTo(c.expected());
  }
}
