package dev.skiff.api.selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A field selector: comma-joined terms {@code field=value}, {@code field==value} or {@code
 * field!=value}, all of which must hold. In values, {@code \,}, {@code \=} and {@code \\} escape
 * the comma, the equals sign and the backslash. Which fields a resource supports is the caller's
 * business: check {@link #requirements()} before matching.
 */
public final class FieldSelector {
  private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  private final List<FieldRequirement> requirements;

  private FieldSelector(List<FieldRequirement> requirements) {
    this.requirements = List.copyOf(requirements);
  }

  public static FieldSelector everything() {
    return EVERYTHING;
  }

  /** Parses the {@code fieldSelector} query parameter; null or empty selects everything. */
  public static FieldSelector parse(String selector) {
    if (selector == null || selector.isEmpty()) {
      return EVERYTHING;
    }
    List<String> parts = splitTerms(selector);
    parts.sort(null);
    List<FieldRequirement> reqs = new ArrayList<>();
    for (String part : parts) {
      if (part.isEmpty()) {
        continue;
      }
      FieldRequirement r = splitTerm(part);
      if (r == null) {
        throw new IllegalArgumentException(
            "invalid selector: '" + selector + "'; can't understand '" + part + "'");
      }
      reqs.add(r);
    }
    return reqs.isEmpty() ? EVERYTHING : new FieldSelector(reqs);
  }

  /** Requires each field of the map to equal its value. */
  public static FieldSelector fromMap(Map<String, String> fields) {
    List<FieldRequirement> reqs = new ArrayList<>();
    fields.forEach((k, v) -> reqs.add(new FieldRequirement(k, true, v)));
    reqs.sort(java.util.Comparator.comparing(FieldRequirement::toString));
    return new FieldSelector(reqs);
  }

  private static List<String> splitTerms(String selector) {
    List<String> terms = new ArrayList<>();
    int start = 0;
    boolean inSlash = false;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (inSlash) {
        inSlash = false;
      } else if (c == '\\') {
        inSlash = true;
      } else if (c == ',') {
        terms.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    terms.add(selector.substring(start));
    return terms;
  }

  /** The first operator occurrence splits the term; the field part has no escaping. */
  private static FieldRequirement splitTerm(String term) {
    for (int i = 0; i < term.length(); i++) {
      String rest = term.substring(i);
      if (rest.startsWith("!=")) {
        return new FieldRequirement(term.substring(0, i), false, unescapeValue(rest.substring(2)));
      }
      if (rest.startsWith("==")) {
        return new FieldRequirement(term.substring(0, i), true, unescapeValue(rest.substring(2)));
      }
      if (rest.startsWith("=")) {
        return new FieldRequirement(term.substring(0, i), true, unescapeValue(rest.substring(1)));
      }
    }
    return null;
  }

  static String unescapeValue(String s) {
    if (s.indexOf('\\') < 0 && s.indexOf(',') < 0 && s.indexOf('=') < 0) {
      return s;
    }
    StringBuilder v = new StringBuilder();
    boolean inSlash = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inSlash) {
        if (c == '\\' || c == ',' || c == '=') {
          v.append(c);
        } else {
          throw new IllegalArgumentException(
              "invalid field selector: invalid escape sequence: \\" + c);
        }
        inSlash = false;
        continue;
      }
      switch (c) {
        case '\\' -> inSlash = true;
        case ',', '=' ->
            throw new IllegalArgumentException(
                "invalid field selector: unescaped character in value: " + (int) c);
        default -> v.append(c);
      }
    }
    if (inSlash) {
      throw new IllegalArgumentException("invalid field selector: invalid escape sequence: \\");
    }
    return v.toString();
  }

  static String escapeValue(String s) {
    return s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
  }

  public boolean matches(Map<String, String> fields) {
    for (FieldRequirement r : requirements) {
      if (!r.matches(fields)) {
        return false;
      }
    }
    return true;
  }

  public boolean isEverything() {
    return requirements.isEmpty();
  }

  /** The terms, sorted as Kubernetes sorts them. */
  public List<FieldRequirement> requirements() {
    return requirements;
  }

  /**
   * Checks every term names a supported field; throws IllegalArgumentException with Kubernetes'
   * message ("field label not supported: spec.foo") otherwise. metadata.name and metadata.namespace
   * are always supported.
   */
  public FieldSelector requireSupported(java.util.Set<String> supportedFields) {
    for (FieldRequirement r : requirements) {
      String f = r.field();
      if (!f.equals("metadata.name")
          && !f.equals("metadata.namespace")
          && !supportedFields.contains(f)) {
        throw new IllegalArgumentException("field label not supported: " + f);
      }
    }
    return this;
  }

  /** The value a field must equal, if a term fixes it (for index lookups such as spec.nodeName). */
  public Optional<String> requiresExactMatch(String field) {
    for (FieldRequirement r : requirements) {
      if (r.field().equals(field) && r.equal()) {
        return Optional.of(r.value());
      }
    }
    return Optional.empty();
  }

  /** A selector without the terms on the given field (after the caller served them otherwise). */
  public FieldSelector without(String field) {
    List<FieldRequirement> rest = new ArrayList<>();
    for (FieldRequirement r : requirements) {
      if (!r.field().equals(field)) {
        rest.add(r);
      }
    }
    return rest.isEmpty() ? EVERYTHING : new FieldSelector(rest);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (FieldRequirement r : requirements) {
      parts.add(r.toString());
    }
    return String.join(",", parts);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FieldSelector other && other.requirements.equals(requirements);
  }

  @Override
  public int hashCode() {
    return requirements.hashCode();
  }
}
