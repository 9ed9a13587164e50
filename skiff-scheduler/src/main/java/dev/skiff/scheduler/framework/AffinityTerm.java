package dev.skiff.scheduler.framework;

import java.util.Map;
import java.util.Set;

/**
 * A compiled pod (anti-)affinity term. A pod matches when it lives in one of {@code namespaces} (or
 * in a namespace selected by {@code namespaceSelector}) and its labels match {@code selector}.
 */
public record AffinityTerm(
    Set<String> namespaces,
    Selector namespaceSelector,
    Selector selector,
    String topologyKey,
    int weight) {

  public AffinityTerm {
    namespaces = Set.copyOf(namespaces);
  }

  public boolean matches(PodInfo pod, Map<String, String> podNamespaceLabels) {
    boolean namespaceMatches =
        namespaces.contains(pod.namespace())
            || (namespaceSelector != null && namespaceSelector.matches(podNamespaceLabels));
    return namespaceMatches && selector.matches(pod.labels());
  }

  public AffinityTerm withNamespaces(Set<String> resolved) {
    return new AffinityTerm(resolved, null, selector, topologyKey, weight);
  }
}
