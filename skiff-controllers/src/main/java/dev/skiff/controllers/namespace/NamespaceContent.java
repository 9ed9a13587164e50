package dev.skiff.controllers.namespace;

import dev.skiff.controllers.runtime.DiscoveredResource;
import java.util.List;

/** What the namespace controller deletes: every namespaced resource, generically. */
public interface NamespaceContent {
  /** One remaining object: its name and finalizers. */
  record Item(String name, List<String> finalizers) {
    public Item {
      finalizers = List.copyOf(finalizers);
    }
  }

  List<DiscoveredResource> namespacedResources();

  /** Deletes every object of the resource in the namespace (one deletecollection if possible). */
  void deleteAll(DiscoveredResource resource, String namespace);

  List<Item> list(DiscoveredResource resource, String namespace);
}
