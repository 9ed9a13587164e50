package dev.skiff.controllers.namespace;

import dev.skiff.controllers.runtime.DiscoveredResource;
import dev.skiff.controllers.runtime.ResourceDiscovery;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** {@link NamespaceContent} through discovery and generic resource calls. */
public final class ClientNamespaceContent implements NamespaceContent {
  private final KubernetesClient client;
  private final ResourceDiscovery discovery;

  public ClientNamespaceContent(KubernetesClient client, ResourceDiscovery discovery) {
    this.client = client;
    this.discovery = discovery;
  }

  @Override
  public List<DiscoveredResource> namespacedResources() {
    return discovery.preferredResources().stream()
        .filter(r -> r.namespaced() && r.supports("list") && r.supports("delete"))
        .toList();
  }

  @Override
  public void deleteAll(DiscoveredResource resource, String namespace) {
    var resources = client.genericKubernetesResources(resource.context()).inNamespace(namespace);
    if (resource.supports("deletecollection")) {
      resources.delete();
      return;
    }
    for (GenericKubernetesResource item : resources.list().getItems()) {
      resources.withName(item.getMetadata().getName()).delete();
    }
  }

  @Override
  public List<Item> list(DiscoveredResource resource, String namespace) {
    return client
        .genericKubernetesResources(resource.context())
        .inNamespace(namespace)
        .list()
        .getItems()
        .stream()
        .map(
            item ->
                new Item(
                    item.getMetadata().getName(),
                    item.getMetadata().getFinalizers() == null
                        ? List.of()
                        : item.getMetadata().getFinalizers()))
        .toList();
  }
}
