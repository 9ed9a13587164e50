package dev.skiff.apiserver.registry;

import dev.skiff.api.validation.NameValidation;
import java.util.List;
import java.util.function.Function;

/** How a kind validates metadata.name. */
public enum NameRule {
  /** RFC 1123 subdomain: most kinds. */
  DNS_SUBDOMAIN(NameValidation::isDns1123Subdomain),
  /** RFC 1123 label: namespaces. */
  DNS_LABEL(NameValidation::isDns1123Label),
  /** RFC 1035 label: services. */
  DNS1035_LABEL(NameValidation::isDns1035Label),
  /** Any name usable as a path segment: RBAC objects. */
  PATH_SEGMENT(NameRule::pathSegment);

  private final Function<String, List<String>> check;

  NameRule(Function<String, List<String>> check) {
    this.check = check;
  }

  /** The problems with {@code name}, as detail messages (empty when valid). */
  public List<String> check(String name) {
    return check.apply(name);
  }

  private static List<String> pathSegment(String name) {
    if (name.equals(".") || name.equals("..")) {
      return List.of("may not be '" + name + "'");
    }
    for (String bad : List.of("/", "%")) {
      if (name.contains(bad)) {
        return List.of("may not contain '" + bad + "'");
      }
    }
    return List.of();
  }
}
