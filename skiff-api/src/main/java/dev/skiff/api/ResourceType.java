package dev.skiff.api;

import java.util.List;

/**
 * One served resource of one group version, as discovery and the registry see it.
 *
 * @param group API group, "" for core
 * @param version API version, e.g. "v1"
 * @param kind the object kind, e.g. "Deployment"
 * @param plural the resource name in URLs, e.g. "deployments"
 * @param singular lower-case singular name, e.g. "deployment"
 * @param namespaced whether objects live in a namespace
 * @param shortNames kubectl short names, e.g. ["deploy"]
 * @param categories e.g. ["all"]
 * @param verbs the verbs Kubernetes declares for the resource in discovery
 * @param subresources subresource names, e.g. ["status", "scale"]
 * @param storageVersion the version objects of this group+resource are stored in; other versions
 *     are converted (e.g. autoscaling v1 HorizontalPodAutoscaler is stored as v2)
 */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    String singular,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    List<String> verbs,
    List<String> subresources,
    String storageVersion) {

  public ResourceType {
    shortNames = List.copyOf(shortNames);
    categories = List.copyOf(categories);
    verbs = List.copyOf(verbs);
    subresources = List.copyOf(subresources);
  }

  /** "v1" for core, "apps/v1" otherwise: the apiVersion field of objects. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /**
   * The store key prefix of every object of this resource, across namespaces, ending in '/': {@code
   * /registry/<group or "core">/<plural>/}. The version is not part of the key: all versions of a
   * resource share one set of objects.
   */
  public String keyPrefix() {
    return "/registry/" + (group.isEmpty() ? "core" : group) + "/" + plural + "/";
  }

  /** The store key prefix of one namespace's objects (namespaced resources), ending in '/'. */
  public String keyPrefix(String namespace) {
    return namespaced ? keyPrefix() + namespace + "/" : keyPrefix();
  }

  /** The store key of one object; namespace is ignored for cluster-scoped resources. */
  public String key(String namespace, String name) {
    return keyPrefix(namespace) + name;
  }

  public boolean hasSubresource(String name) {
    return subresources.contains(name);
  }
}
