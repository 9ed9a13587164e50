package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One RBAC rule (rbac/v1 PolicyRule) and Kubernetes' matching: "*" matches any verb, group,
 * resource or path; "*&#47;sub" matches a subresource of any resource; a path ending in "*" matches
 * by prefix; an empty resourceNames list matches every name.
 */
public record PolicyRule(
    List<String> verbs,
    List<String> apiGroups,
    List<String> resources,
    List<String> resourceNames,
    List<String> nonResourceURLs) {
  static final String ALL = "*";

  public PolicyRule {
    verbs = List.copyOf(verbs);
    apiGroups = List.copyOf(apiGroups);
    resources = List.copyOf(resources);
    resourceNames = List.copyOf(resourceNames);
    nonResourceURLs = List.copyOf(nonResourceURLs);
  }

  public static PolicyRule resources(List<String> verbs, List<String> groups, List<String> res) {
    return new PolicyRule(verbs, groups, res, List.of(), List.of());
  }

  public static PolicyRule nonResource(List<String> verbs, List<String> urls) {
    return new PolicyRule(verbs, List.of(), List.of(), List.of(), urls);
  }

  public PolicyRule withNames(String... names) {
    return new PolicyRule(verbs, apiGroups, resources, List.of(names), nonResourceURLs);
  }

  public static PolicyRule fromJson(JsonNode rule) {
    return new PolicyRule(
        strings(rule.path("verbs")),
        strings(rule.path("apiGroups")),
        strings(rule.path("resources")),
        strings(rule.path("resourceNames")),
        strings(rule.path("nonResourceURLs")));
  }

  public static List<PolicyRule> listFromJson(JsonNode rules) {
    List<PolicyRule> result = new ArrayList<>();
    for (JsonNode rule : rules) {
      result.add(fromJson(rule));
    }
    return result;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    for (JsonNode value : array) {
      values.add(value.asString());
    }
    return values;
  }

  public ObjectNode toJson() {
    ObjectNode rule = Json.object();
    rule.set("verbs", array(verbs));
    if (!apiGroups.isEmpty() || !resources.isEmpty()) {
      rule.set("apiGroups", array(apiGroups));
    }
    if (!resources.isEmpty()) {
      rule.set("resources", array(resources));
    }
    if (!resourceNames.isEmpty()) {
      rule.set("resourceNames", array(resourceNames));
    }
    if (!nonResourceURLs.isEmpty()) {
      rule.set("nonResourceURLs", array(nonResourceURLs));
    }
    return rule;
  }

  private static JsonNode array(List<String> values) {
    var array = Json.MAPPER.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  /** Whether this rule allows the request. */
  public boolean allows(Attributes request) {
    if (!matchesVerb(request.verb())) {
      return false;
    }
    if (!request.resourceRequest()) {
      return matchesPath(request.path());
    }
    return matchesGroup(request.group())
        && matchesResource(request.resource(), request.subresource())
        && matchesName(request.name());
  }

  boolean matchesVerb(String verb) {
    return verbs.contains(ALL) || verbs.contains(verb);
  }

  boolean matchesGroup(String group) {
    return apiGroups.contains(ALL) || apiGroups.contains(group);
  }

  boolean matchesResource(String resource, String subresource) {
    String combined = subresource.isEmpty() ? resource : resource + "/" + subresource;
    for (String rule : resources) {
      if (rule.equals(ALL) || rule.equals(combined)) {
        return true;
      }
      if (!subresource.isEmpty() && rule.equals("*/" + subresource)) {
        return true;
      }
    }
    return false;
  }

  boolean matchesName(String name) {
    return resourceNames.isEmpty() || (!name.isEmpty() && resourceNames.contains(name));
  }

  boolean matchesPath(String path) {
    for (String rule : nonResourceURLs) {
      if (rule.equals(ALL) || rule.equals(path)) {
        return true;
      }
      if (rule.endsWith("*") && path.startsWith(rule.substring(0, rule.length() - 1))) {
        return true;
      }
    }
    return false;
  }

  /** Kubernetes' compact rendering, e.g. {APIGroups:[""], Resources:["pods"], Verbs:["get"]}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (!apiGroups.isEmpty()) {
      parts.add("APIGroups:" + quoted(apiGroups));
    }
    if (!resources.isEmpty()) {
      parts.add("Resources:" + quoted(resources));
    }
    if (!resourceNames.isEmpty()) {
      parts.add("ResourceNames:" + quoted(resourceNames));
    }
    if (!nonResourceURLs.isEmpty()) {
      parts.add("NonResourceURLs:" + quoted(nonResourceURLs));
    }
    parts.add("Verbs:" + quoted(verbs));
    return "{" + String.join(", ", parts) + "}";
  }

  private static String quoted(List<String> values) {
    List<String> quoted = new ArrayList<>();
    for (String value : values) {
      quoted.add("\"" + value + "\"");
    }
    return "[" + String.join(" ", quoted) + "]";
  }
}
