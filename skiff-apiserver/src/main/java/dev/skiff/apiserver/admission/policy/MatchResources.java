package dev.skiff.apiserver.admission.policy;

import dev.skiff.api.selector.LabelSelector;
import dev.skiff.apiserver.admission.AdmissionRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * A policy's {@code spec.matchConstraints} or a binding's {@code spec.matchResources}, as
 * Kubernetes matches them: the namespace selector (skipped for cluster-scoped resources other than
 * namespaces), the object selector (the new or the old object's labels), exclusions first, then the
 * resource rules (no rules match everything, which is how a binding narrows nothing); with {@code
 * matchPolicy: Equivalent} (the default) a rule naming another served version of the same resource
 * matches too. Unset selectors select everything, as the API defaults them to {}.
 */
final class MatchResources {
  /** One NamedRuleWithOperations. */
  record Rule(
      List<String> operations,
      List<String> apiGroups,
      List<String> apiVersions,
      List<String> resources,
      String scope,
      List<String> resourceNames) {

    static Rule of(JsonNode rule) {
      return new Rule(
          strings(rule.path("operations")),
          strings(rule.path("apiGroups")),
          strings(rule.path("apiVersions")),
          strings(rule.path("resources")),
          rule.path("scope").asString("*"),
          strings(rule.path("resourceNames")));
    }

    boolean matches(AdmissionRequest request, String version) {
      return scopeMatches(request)
          && anyOf(operations, request.operation().name())
          && anyOf(apiGroups, request.group())
          && anyOf(apiVersions, version)
          && resourceMatches(request)
          && (resourceNames.isEmpty() || resourceNames.contains(request.name()));
    }

    private boolean scopeMatches(AdmissionRequest request) {
      return switch (scope) {
        case "Namespaced" -> request.type().namespaced();
        case "Cluster" -> !request.type().namespaced();
        default -> true;
      };
    }

    private boolean resourceMatches(AdmissionRequest request) {
      for (String entry : resources) {
        int slash = entry.indexOf('/');
        String resource = slash < 0 ? entry : entry.substring(0, slash);
        String subresource = slash < 0 ? "" : entry.substring(slash + 1);
        boolean resourceOk = resource.equals("*") || resource.equals(request.resource());
        boolean subresourceOk =
            subresource.equals("*") || subresource.equals(request.subresource());
        if (resourceOk && subresourceOk) {
          return true;
        }
      }
      return false;
    }

    private static boolean anyOf(List<String> items, String wanted) {
      return items.contains("*") || items.contains(wanted);
    }
  }

  private final LabelSelector namespaceSelector;
  private final LabelSelector objectSelector;
  private final List<Rule> resourceRules;
  private final List<Rule> excludeResourceRules;
  private final boolean exact;

  private MatchResources(
      LabelSelector namespaceSelector,
      LabelSelector objectSelector,
      List<Rule> resourceRules,
      List<Rule> excludeResourceRules,
      boolean exact) {
    this.namespaceSelector = namespaceSelector;
    this.objectSelector = objectSelector;
    this.resourceRules = resourceRules;
    this.excludeResourceRules = excludeResourceRules;
    this.exact = exact;
  }

  /** Parses matchConstraints/matchResources; throws IllegalArgumentException on a bad selector. */
  static MatchResources of(JsonNode match) {
    return new MatchResources(
        selector(match.path("namespaceSelector")),
        selector(match.path("objectSelector")),
        rules(match.path("resourceRules")),
        rules(match.path("excludeResourceRules")),
        "Exact".equals(match.path("matchPolicy").asString("Equivalent")));
  }

  private static LabelSelector selector(JsonNode selector) {
    return selector.isMissingNode() || selector.isNull()
        ? LabelSelector.everything()
        : LabelSelector.fromJson(selector);
  }

  private static List<Rule> rules(JsonNode rules) {
    List<Rule> parsed = new ArrayList<>();
    rules.forEach(rule -> parsed.add(Rule.of(rule)));
    return List.copyOf(parsed);
  }

  /**
   * Whether {@code request} is selected.
   *
   * @param namespaceLabels the labels of the request's namespace, asked only when needed
   * @param versions the served versions of the request's group and resource, its own first
   */
  boolean matches(
      AdmissionRequest request,
      Supplier<Map<String, String>> namespaceLabels,
      List<String> versions) {
    if (!namespaceMatches(request, namespaceLabels) || !objectMatches(request)) {
      return false;
    }
    if (rulesMatch(excludeResourceRules, request, versions)) {
      return false;
    }
    return resourceRules.isEmpty() || rulesMatch(resourceRules, request, versions);
  }

  private boolean rulesMatch(List<Rule> rules, AdmissionRequest request, List<String> versions) {
    for (Rule rule : rules) {
      if (rule.matches(request, request.type().version())) {
        return true;
      }
    }
    if (exact) {
      return false;
    }
    for (Rule rule : rules) {
      for (String version : versions) {
        if (!version.equals(request.type().version()) && rule.matches(request, version)) {
          return true;
        }
      }
    }
    return false;
  }

  private boolean namespaceMatches(
      AdmissionRequest request, Supplier<Map<String, String>> namespaceLabels) {
    boolean namespaceObject = request.isCore("namespaces");
    if (!request.type().namespaced() && !namespaceObject) {
      return true;
    }
    if (namespaceSelector.isEverything()) {
      return true;
    }
    Map<String, String> labels;
    if (namespaceObject && request.subresource().isEmpty() && request.object() != null) {
      labels = labels(request.object());
    } else if (namespaceObject) {
      labels = labels(request.old());
    } else {
      labels = namespaceLabels.get();
    }
    return namespaceSelector.matches(labels);
  }

  private boolean objectMatches(AdmissionRequest request) {
    if (objectSelector.isEverything()) {
      return true;
    }
    return (request.object() != null && objectSelector.matches(labels(request.object())))
        || (request.old() != null && objectSelector.matches(labels(request.old())));
  }

  static Map<String, String> labels(JsonNode object) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (object != null) {
      for (Map.Entry<String, JsonNode> label :
          object.path("metadata").path("labels").properties()) {
        labels.put(label.getKey(), label.getValue().asString(""));
      }
    }
    return labels;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asString("")));
    return List.copyOf(values);
  }
}
