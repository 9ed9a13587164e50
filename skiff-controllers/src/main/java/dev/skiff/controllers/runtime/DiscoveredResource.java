package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/** One resource the API server serves, as discovery lists it (subresources excluded). */
public record DiscoveredResource(
    String group,
    String version,
    String kind,
    String plural,
    boolean namespaced,
    List<String> verbs) {

  public DiscoveredResource {
    verbs = List.copyOf(verbs);
  }

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public boolean supports(String verb) {
    return verbs.contains(verb);
  }

  /** "pods" or "deployments.apps": how Kubernetes names a resource in messages. */
  public String groupResource() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  public ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(namespaced)
        .build();
  }
}
