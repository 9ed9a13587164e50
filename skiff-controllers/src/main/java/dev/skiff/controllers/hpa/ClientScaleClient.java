package dev.skiff.controllers.hpa;

import dev.skiff.api.Json;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Map;

/**
 * The scale subresource through the API: Deployments, ReplicaSets, StatefulSets and
 * ReplicationControllers by their well-known resources, anything else (a custom resource with a
 * scale subresource) through discovery of the reference's apiVersion.
 */
final class ClientScaleClient implements ScaleClient {
  private static final Map<String, String> KNOWN =
      Map.of(
          "apps/Deployment", "deployments",
          "apps/ReplicaSet", "replicasets",
          "apps/StatefulSet", "statefulsets",
          "/ReplicationController", "replicationcontrollers");

  private final KubernetesClient client;

  ClientScaleClient(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Scale get(String namespace, CrossVersionObjectReference target) {
    String path = path(namespace, target);
    String body = client.raw(path, "GET", null);
    if (body == null) {
      throw new KubernetesClientException(
          resourceName(target) + " \"" + target.getName() + "\" not found");
    }
    return Json.MAPPER.readValue(body, Scale.class);
  }

  @Override
  public void update(String namespace, CrossVersionObjectReference target, Scale scale) {
    String body = client.raw(path(namespace, target), "PUT", Json.MAPPER.writeValueAsString(scale));
    if (body == null) {
      throw new KubernetesClientException(
          resourceName(target) + " \"" + target.getName() + "\" not found");
    }
  }

  private String path(String namespace, CrossVersionObjectReference target) {
    String apiVersion = target.getApiVersion() == null ? "" : target.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String plural = KNOWN.get(group + "/" + target.getKind());
    if (plural != null) {
      version = "v1"; // the scale of the built-in workloads is served in their only version
    } else {
      plural = discover(apiVersion, target.getKind());
    }
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return prefix + "/namespaces/" + namespace + "/" + plural + "/" + target.getName() + "/scale";
  }

  private String discover(String apiVersion, String kind) {
    APIResourceList resources;
    try {
      resources = client.getApiResources(apiVersion);
    } catch (KubernetesClientException e) {
      resources = null;
    }
    if (resources != null && resources.getResources() != null) {
      for (APIResource resource : resources.getResources()) {
        if (kind.equals(resource.getKind()) && !resource.getName().contains("/")) {
          return resource.getName();
        }
      }
    }
    throw new KubernetesClientException(
        "no matches for kind \"" + kind + "\" in group version \"" + apiVersion + "\"");
  }

  private static String resourceName(CrossVersionObjectReference target) {
    String apiVersion = target.getApiVersion() == null ? "" : target.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String plural = KNOWN.getOrDefault(group + "/" + target.getKind(), target.getKind());
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
