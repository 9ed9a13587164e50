package dev.skiff.api.catalog;

import java.util.List;

/**
 * A subresource as discovery describes it, e.g. {@code pods/eviction}.
 *
 * @param name the subresource name, e.g. "eviction"
 * @param group the group of the object the subresource accepts or returns, e.g. "policy"
 * @param version the version of that object, e.g. "v1"
 * @param kind the kind of that object, e.g. "Eviction"
 * @param verbs the verbs discovery lists for the subresource
 */
public record Subresource(
    String name, String group, String version, String kind, List<String> verbs) {
  public Subresource {
    verbs = List.copyOf(verbs);
  }
}
