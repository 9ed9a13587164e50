package dev.skiff.api.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Kubernetes' validation of a metav1 LabelSelector inside an object, as field errors. */
public final class SelectorValidation {
  private SelectorValidation() {}

  /**
   * Validates {@code matchLabels} and {@code matchExpressions} of a selector at a field path (e.g.
   * "spec.selector"); a missing or null selector has no errors.
   */
  public static List<FieldError> validateLabelSelector(JsonNode selector, String fieldPath) {
    List<FieldError> errs = new ArrayList<>();
    if (selector == null || selector.isNull() || selector.isMissingNode()) {
      return errs;
    }
    JsonNode matchLabels = selector.get("matchLabels");
    if (matchLabels != null && matchLabels.isObject()) {
      for (Map.Entry<String, JsonNode> e : matchLabels.properties()) {
        errs.addAll(
            NameValidation.validateLabels(
                Map.of(e.getKey(), e.getValue().asString("")), fieldPath + ".matchLabels"));
      }
    }
    JsonNode expressions = selector.get("matchExpressions");
    if (expressions != null && expressions.isArray()) {
      for (int i = 0; i < expressions.size(); i++) {
        errs.addAll(
            validateRequirement(expressions.get(i), fieldPath + ".matchExpressions[" + i + "]"));
      }
    }
    return errs;
  }

  private static List<FieldError> validateRequirement(JsonNode requirement, String path) {
    List<FieldError> errs = new ArrayList<>();
    String operator = requirement.path("operator").asString("");
    JsonNode values = requirement.path("values");
    int count = values.isArray() ? values.size() : 0;
    switch (operator) {
      case "In", "NotIn" -> {
        if (count == 0) {
          errs.add(
              FieldError.required(
                  path + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
        }
      }
      case "Exists", "DoesNotExist" -> {
        if (count > 0) {
          errs.add(
              FieldError.forbidden(
                  path + ".values",
                  "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        }
      }
      default ->
          errs.add(
              FieldError.invalid(path + ".operator", operator, "not a valid selector operator"));
    }
    String key = requirement.path("key").asString("");
    for (String msg : NameValidation.isQualifiedName(key)) {
      errs.add(FieldError.invalid(path + ".key", key, msg));
    }
    for (int i = 0; i < count; i++) {
      String value = values.get(i).asString("");
      for (String msg : NameValidation.isValidLabelValue(value)) {
        errs.add(FieldError.invalid(path + ".values[" + i + "]", value, msg));
      }
    }
    return errs;
  }
}
