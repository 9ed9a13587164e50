package dev.skiff.apiserver.admission.webhook;

import dev.skiff.apiserver.admission.AdmissionRequest.Operation;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One {@code RuleWithOperations} of a webhook: which operations on which group, version and
 * resource it selects. {@code "*"} matches anything in a list; a resource entry is {@code
 * resource[/subresource]}, so {@code "pods"} matches only the main resource, {@code "pods/status"}
 * one subresource, {@code "pods/*"} every subresource of pods, and "*" followed by "/*" every
 * resource and subresource.
 *
 * @param scope {@code "*"} (default), {@code "Cluster"} or {@code "Namespaced"}
 */
public record Rule(
    List<String> operations,
    List<String> apiGroups,
    List<String> apiVersions,
    List<String> resources,
    String scope) {

  public Rule {
    operations = List.copyOf(operations);
    apiGroups = List.copyOf(apiGroups);
    apiVersions = List.copyOf(apiVersions);
    resources = List.copyOf(resources);
  }

  static Rule parse(JsonNode rule) {
    return new Rule(
        strings(rule.path("operations")),
        strings(rule.path("apiGroups")),
        strings(rule.path("apiVersions")),
        strings(rule.path("resources")),
        rule.path("scope").asString("*"));
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    for (JsonNode value : array) {
      values.add(value.asString());
    }
    return values;
  }

  /** Whether this rule selects {@code operation} on {@code resource} (and subresource). */
  public boolean matches(
      Operation operation, GroupVersionResource resource, String subresource, boolean namespaced) {
    return matchesAny(operations, operation.name())
        && matchesAny(apiGroups, resource.group())
        && matchesAny(apiVersions, resource.version())
        && matchesResource(resource.resource(), subresource)
        && matchesScope(namespaced);
  }

  private static boolean matchesAny(List<String> values, String value) {
    return values.contains("*") || values.contains(value);
  }

  private boolean matchesResource(String resource, String subresource) {
    for (String entry : resources) {
      int slash = entry.indexOf('/');
      String wantedResource = slash < 0 ? entry : entry.substring(0, slash);
      String wantedSubresource = slash < 0 ? "" : entry.substring(slash + 1);
      if ((wantedResource.equals("*") || wantedResource.equals(resource))
          && (wantedSubresource.equals("*") || wantedSubresource.equals(subresource))) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesScope(boolean namespaced) {
    return switch (scope) {
      case "Cluster" -> !namespaced;
      case "Namespaced" -> namespaced;
      default -> true;
    };
  }
}
