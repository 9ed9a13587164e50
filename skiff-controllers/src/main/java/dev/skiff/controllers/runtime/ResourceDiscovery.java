package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists every resource the API server serves in its preferred version, through discovery, so
 * controllers that act on "everything" (namespace deletion, garbage collection) also cover custom
 * resources.
 */
public interface ResourceDiscovery {
  List<DiscoveredResource> preferredResources();

  /** Discovery through the API: /api/v1 plus each group's preferred version. */
  static ResourceDiscovery of(KubernetesClient client) {
    return () -> {
      List<DiscoveredResource> resources = new ArrayList<>();
      addAll(resources, "", "v1", client.getApiResources("v1"));
      for (APIGroup group : client.getApiGroups().getGroups()) {
        String version =
            group.getPreferredVersion() != null
                ? group.getPreferredVersion().getVersion()
                : group.getVersions().get(0).getVersion();
        addAll(
            resources,
            group.getName(),
            version,
            client.getApiResources(group.getName() + "/" + version));
      }
      return resources;
    };
  }

  private static void addAll(
      List<DiscoveredResource> into, String group, String version, APIResourceList list) {
    if (list == null || list.getResources() == null) {
      return;
    }
    for (APIResource resource : list.getResources()) {
      if (resource.getName().contains("/")) {
        continue;
      }
      into.add(
          new DiscoveredResource(
              group,
              version,
              resource.getKind(),
              resource.getName(),
              Boolean.TRUE.equals(resource.getNamespaced()),
              resource.getVerbs() == null ? List.of() : resource.getVerbs()));
    }
  }
}
