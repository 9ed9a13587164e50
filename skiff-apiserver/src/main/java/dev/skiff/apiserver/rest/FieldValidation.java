package dev.skiff.apiserver.rest;

import dev.skiff.apiserver.http.ApiException;
import java.util.List;

/** The fieldValidation query parameter: Ignore, Warn (the default) or Strict. */
final class FieldValidation {
  private FieldValidation() {}

  /**
   * Applies the directive to the decoding problems found (unknown and duplicate fields): Strict
   * fails with 400, Warn adds them to {@code warnings}, Ignore drops them.
   */
  static void check(String directive, List<String> problems, List<String> warnings) {
    String mode = directive == null || directive.isEmpty() ? "Warn" : directive;
    switch (mode) {
      case "Ignore" -> {}
      case "Warn" -> warnings.addAll(problems);
      case "Strict" -> {
        if (!problems.isEmpty()) {
          throw ApiException.badRequest("strict decoding error: " + String.join(", ", problems));
        }
      }
      default ->
          throw ApiException.badRequest(
              "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\", got: " + mode);
    }
  }
}
