package dev.skiff.api.selector;

import java.util.Map;

/**
 * One term of a field selector: a field path (e.g. "metadata.name", "spec.nodeName"), whether the
 * value must equal or must differ, and the unescaped value.
 */
public record FieldRequirement(String field, boolean equal, String value) {

  /** A missing field compares as the empty string, as in Kubernetes. */
  public boolean matches(Map<String, String> fields) {
    String actual = fields.getOrDefault(field, "");
    return equal == actual.equals(value);
  }

  /** The term in selector syntax with the value escaped; "==" is printed as "=". */
  @Override
  public String toString() {
    return field + (equal ? "=" : "!=") + FieldSelector.escapeValue(value);
  }
}
