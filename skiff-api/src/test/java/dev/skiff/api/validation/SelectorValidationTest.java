package dev.skiff.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelectorValidationTest {
  private static List<String> errors(String selector) {
    return SelectorValidation.validateLabelSelector(
            Json.MAPPER.readTree(selector.replace('\'', '"')), "spec.selector")
        .stream()
        .map(FieldError::toString)
        .toList();
  }

  @Test
  void validSelectorsHaveNoErrors() {
    assertThat(
            errors(
                "{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'env','operator':'In',"
                    + "'values':['a']},{'key':'x','operator':'Exists'}]}"))
        .isEmpty();
    assertThat(SelectorValidation.validateLabelSelector(null, "spec.selector")).isEmpty();
  }

  @Test
  void reportsEachProblemWithKubernetesWording() {
    assertThat(
            errors(
                "{'matchExpressions':[{'key':'env','operator':'In'},"
                    + "{'key':'x','operator':'Exists','values':['a']},"
                    + "{'key':'y','operator':'Gt','values':['1']},"
                    + "{'key':'z','operator':'In','values':['-bad']}]}"))
        .containsExactly(
            "spec.selector.matchExpressions[0].values: Required value: must be specified when"
                + " `operator` is 'In' or 'NotIn'",
            "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when"
                + " `operator` is 'Exists' or 'DoesNotExist'",
            "spec.selector.matchExpressions[2].operator: Invalid value: \"Gt\": not a valid"
                + " selector operator",
            "spec.selector.matchExpressions[3].values[0]: Invalid value: \"-bad\": a valid label"
                + " must be an empty string or consist of alphanumeric characters, '-', '_' or"
                + " '.', and must start and end with an alphanumeric character (e.g. 'MyValue', "
                + " or 'my_value',  or '12345', regex used for validation is"
                + " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
    assertThat(errors("{'matchLabels':{'a b':'x'}}").get(0))
        .startsWith("spec.selector.matchLabels: Invalid value: \"a b\": name part must consist");
  }
}
