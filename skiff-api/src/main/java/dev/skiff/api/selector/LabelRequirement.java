package dev.skiff.api.selector;

import java.util.List;
import java.util.Map;

/**
 * One requirement of a label selector: a key, an operator and its values (sorted and distinct for
 * {@code in} and {@code notin}, one value for the equality and numeric operators, none for the
 * existence operators).
 */
public record LabelRequirement(String key, Operator operator, List<String> values) {

  /** The operators of the label selector grammar, with their text form. */
  public enum Operator {
    EQUALS("="),
    DOUBLE_EQUALS("=="),
    NOT_EQUALS("!="),
    IN("in"),
    NOT_IN("notin"),
    EXISTS(""),
    DOES_NOT_EXIST("!"),
    GREATER_THAN("gt"),
    LESS_THAN("lt");

    private final String text;

    Operator(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  public LabelRequirement {
    values = List.copyOf(values);
  }

  public boolean matches(Map<String, String> labels) {
    String actual = labels.get(key);
    return switch (operator) {
      case EQUALS, DOUBLE_EQUALS, IN -> actual != null && values.contains(actual);
      case NOT_EQUALS, NOT_IN -> actual == null || !values.contains(actual);
      case EXISTS -> actual != null;
      case DOES_NOT_EXIST -> actual == null;
      case GREATER_THAN, LESS_THAN -> compareNumerically(actual);
    };
  }

  private boolean compareNumerically(String actual) {
    if (actual == null || values.size() != 1) {
      return false;
    }
    try {
      long have = Long.parseLong(actual);
      long want = Long.parseLong(values.get(0));
      return operator == Operator.GREATER_THAN ? have > want : have < want;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The requirement in selector syntax, as Kubernetes prints it. */
  @Override
  public String toString() {
    return switch (operator) {
      case EXISTS -> key;
      case DOES_NOT_EXIST -> "!" + key;
      case EQUALS -> key + "=" + values.get(0);
      case DOUBLE_EQUALS -> key + "==" + values.get(0);
      case NOT_EQUALS -> key + "!=" + values.get(0);
      case GREATER_THAN -> key + ">" + values.get(0);
      case LESS_THAN -> key + "<" + values.get(0);
      case IN -> key + " in (" + String.join(",", values) + ")";
      case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
    };
  }
}
