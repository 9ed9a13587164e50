package dev.skiff.controllers.gc;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.DiscoveredResource;
import dev.skiff.controllers.runtime.ResourceDiscovery;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link GcClient} through generic resource calls, mapping kinds to resources by discovery. */
public final class ClientGcClient implements GcClient {
  private final KubernetesClient client;
  private final ResourceDiscovery discovery;
  private final Map<String, DiscoveredResource> byKind = new ConcurrentHashMap<>();

  public ClientGcClient(KubernetesClient client, ResourceDiscovery discovery) {
    this.client = client;
    this.discovery = discovery;
    refresh();
  }

  private void refresh() {
    for (DiscoveredResource resource : discovery.preferredResources()) {
      byKind.put(resource.apiVersion() + "/" + resource.kind(), resource);
      // an owner reference may name another served version of the same group
      byKind.putIfAbsent(resource.group() + "/*/" + resource.kind(), resource);
    }
  }

  /** The resource serving apiVersion/kind, if discovery knows it. */
  public Optional<DiscoveredResource> resourceFor(String apiVersion, String kind) {
    DiscoveredResource resource = byKind.get(apiVersion + "/" + kind);
    if (resource == null) {
      String group =
          apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      resource = byKind.get(group + "/*/" + kind);
    }
    if (resource == null) {
      refresh();
      resource = byKind.get(apiVersion + "/" + kind);
    }
    return Optional.ofNullable(resource);
  }

  public boolean namespaced(String apiVersionKind) {
    int slash = apiVersionKind.lastIndexOf('/');
    return resourceFor(apiVersionKind.substring(0, slash), apiVersionKind.substring(slash + 1))
        .map(DiscoveredResource::namespaced)
        .orElse(true);
  }

  @Override
  public Optional<GraphObject> get(String apiVersion, String kind, String namespace, String name) {
    Optional<DiscoveredResource> resource = resourceFor(apiVersion, kind);
    if (resource.isEmpty()) {
      return Optional.empty();
    }
    var operation = client.genericKubernetesResources(resource.get().context());
    GenericKubernetesResource object =
        resource.get().namespaced()
            ? operation.inNamespace(namespace).withName(name).get()
            : operation.withName(name).get();
    return Optional.ofNullable(object).map(GraphObject::of);
  }

  @Override
  public void delete(GraphObject object, String propagationPolicy) {
    ObjectNode options = Json.object();
    options.put("kind", "DeleteOptions");
    options.put("apiVersion", "v1");
    options.put("propagationPolicy", propagationPolicy);
    options.putObject("preconditions").put("uid", object.uid());
    client.raw(path(object), "DELETE", Json.MAPPER.writeValueAsString(options));
  }

  @Override
  public void patchOwnerReferences(GraphObject object, List<OwnerReference> ownerReferences) {
    ObjectNode patch = Json.object();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("uid", object.uid());
    ArrayNode refs = metadata.putArray("ownerReferences");
    ownerReferences.forEach(ref -> refs.add(Json.MAPPER.<ObjectNode>valueToTree(ref)));
    patch(object, patch);
  }

  @Override
  public void removeFinalizer(GraphObject object, String finalizer) {
    List<String> kept = new ArrayList<>(object.finalizers());
    kept.remove(finalizer);
    ObjectNode patch = Json.object();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("resourceVersion", object.resourceVersion());
    ArrayNode finalizers = metadata.putArray("finalizers");
    kept.forEach(finalizers::add);
    patch(object, patch);
  }

  private void patch(GraphObject object, ObjectNode patch) {
    DiscoveredResource resource =
        resourceFor(object.apiVersion(), object.kind())
            .orElseThrow(() -> new IllegalStateException("no resource serves " + object.kind()));
    var operation = client.genericKubernetesResources(resource.context());
    var named =
        resource.namespaced()
            ? operation.inNamespace(object.namespace()).withName(object.name())
            : operation.withName(object.name());
    named.patch(PatchContext.of(PatchType.JSON_MERGE), Json.MAPPER.writeValueAsString(patch));
  }

  private String path(GraphObject object) {
    DiscoveredResource resource =
        resourceFor(object.apiVersion(), object.kind())
            .orElseThrow(() -> new IllegalStateException("no resource serves " + object.kind()));
    StringBuilder path = new StringBuilder(resource.group().isEmpty() ? "/api/" : "/apis/");
    path.append(resource.apiVersion()).append('/');
    if (resource.namespaced()) {
      path.append("namespaces/").append(object.namespace()).append('/');
    }
    return path.append(resource.plural()).append('/').append(object.name()).toString();
  }
}
