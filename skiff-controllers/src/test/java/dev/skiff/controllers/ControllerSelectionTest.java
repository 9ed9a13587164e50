package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ControllerSelectionTest {
  record Case(String name, List<String> flag, String controller, boolean onByDefault, boolean on) {}

  static List<Case> cases() {
    return List.of(
        new Case("star enables defaults", List.of("*"), "replicaset", true, true),
        new Case("star skips off-by-default", List.of("*"), "bootstrapsigner", false, false),
        new Case("minus disables", List.of("*", "-replicaset"), "replicaset", true, false),
        new Case("explicit enables", List.of("bootstrapsigner"), "bootstrapsigner", false, true),
        new Case("not listed is off", List.of("deployment"), "replicaset", true, false),
        new Case("minus beats name", List.of("job", "-job"), "job", true, false));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void selects(Case c) {
    assertThat(new ControllerSelection(c.flag()).enabled(c.controller(), c.onByDefault()))
        .isEqualTo(c.on());
  }

  @org.junit.jupiter.api.Test
  void reportsUnknownNames() {
    assertThat(
            new ControllerSelection(List.of("*", "-replicaset", "replicaset-typo"))
                .unknown(Set.of("replicaset")))
        .containsExactly("replicaset-typo");
  }
}
