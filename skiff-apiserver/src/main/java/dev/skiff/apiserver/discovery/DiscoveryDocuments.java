package dev.skiff.apiserver.discovery;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.GroupVersions;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.api.catalog.Subresource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The discovery documents of one catalog. Groups and versions keep the catalog's order (the first
 * version of a group is its preferred version); resources within a version are sorted by name, as
 * Kubernetes lists them.
 */
final class DiscoveryDocuments {
  static final String DISCOVERY_GROUP = "apidiscovery.k8s.io";

  private final ResourceCatalog catalog;

  /** group -> version -> resources of that group version, sorted by plural. */
  private final Map<String, Map<String, List<ResourceType>>> groups = new LinkedHashMap<>();

  DiscoveryDocuments(ResourceCatalog catalog) {
    this.catalog = catalog;
    for (GroupVersions group : catalog.groups()) {
      Map<String, List<ResourceType>> versions = new LinkedHashMap<>();
      for (String version : group.versions()) {
        List<ResourceType> resources = new ArrayList<>(catalog.resources(group.group(), version));
        if (resources.isEmpty()) {
          continue;
        }
        resources.sort(Comparator.comparing(ResourceType::plural));
        versions.put(version, List.copyOf(resources));
      }
      if (!versions.isEmpty()) {
        groups.put(group.group(), versions);
      }
    }
  }

  boolean hasGroup(String group) {
    return !group.isEmpty() && groups.containsKey(group);
  }

  boolean hasGroupVersion(String group, String version) {
    Map<String, List<ResourceType>> versions = groups.get(group);
    return versions != null && versions.containsKey(version);
  }

  /** /api: the core group's versions and where clients reach the server. */
  ObjectNode apiVersions(String serverAddress) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIVersions");
    ArrayNode versions = doc.putArray("versions");
    groups.getOrDefault("", Map.of()).keySet().forEach(versions::add);
    ObjectNode cidr = doc.putArray("serverAddressByClientCIDRs").addObject();
    cidr.put("clientCIDR", "0.0.0.0/0");
    cidr.put("serverAddress", serverAddress);
    return doc;
  }

  /** /apis: every named group. */
  ObjectNode apiGroupList() {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIGroupList");
    doc.put("apiVersion", "v1");
    ArrayNode items = doc.putArray("groups");
    groups.keySet().stream()
        .filter(g -> !g.isEmpty())
        .forEach(g -> fillGroup(items.addObject(), g));
    return doc;
  }

  /** /apis/{group}. */
  ObjectNode apiGroup(String group) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIGroup");
    doc.put("apiVersion", "v1");
    fillGroup(doc, group);
    return doc;
  }

  private void fillGroup(ObjectNode target, String group) {
    target.put("name", group);
    ArrayNode versions = target.putArray("versions");
    for (String version : groups.get(group).keySet()) {
      ObjectNode v = versions.addObject();
      v.put("groupVersion", group + "/" + version);
      v.put("version", version);
    }
    target.set("preferredVersion", versions.get(0).deepCopy());
  }

  /** /api/v1, /apis/{group}/{version}: the resources and their subresources. */
  ObjectNode apiResourceList(String group, String version) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
    ArrayNode resources = doc.putArray("resources");
    for (ResourceType type : groups.get(group).get(version)) {
      ObjectNode r = resources.addObject();
      r.put("name", type.plural());
      r.put("singularName", type.singular());
      r.put("namespaced", type.namespaced());
      r.put("kind", type.kind());
      stringArray(r, "verbs", type.verbs());
      if (!type.shortNames().isEmpty()) {
        stringArray(r, "shortNames", type.shortNames());
      }
      if (!type.categories().isEmpty()) {
        stringArray(r, "categories", type.categories());
      }
      r.put("storageVersionHash", storageVersionHash(type));
      for (Subresource sub : catalog.subresources(type)) {
        ObjectNode s = resources.addObject();
        s.put("name", type.plural() + "/" + sub.name());
        s.put("singularName", "");
        s.put("namespaced", type.namespaced());
        if (!sub.group().equals(group) || !sub.version().equals(version)) {
          s.put("group", sub.group());
          s.put("version", sub.version());
        }
        s.put("kind", sub.kind());
        stringArray(s, "verbs", sub.verbs());
      }
    }
    // Kubernetes lists resources and subresources together, sorted by name.
    List<ObjectNode> sorted = new ArrayList<>();
    resources.forEach(node -> sorted.add((ObjectNode) node));
    sorted.sort(Comparator.comparing(node -> node.get("name").asString()));
    resources.removeAll();
    sorted.forEach(resources::add);
    return doc;
  }

  /**
   * An apidiscovery.k8s.io APIGroupDiscoveryList: for /api the core group alone, for /apis every
   * named group.
   */
  ObjectNode aggregated(boolean core, String discoveryVersion) {
    ObjectNode doc = Json.object();
    doc.put("kind", "APIGroupDiscoveryList");
    doc.put("apiVersion", DISCOVERY_GROUP + "/" + discoveryVersion);
    doc.putObject("metadata");
    ArrayNode items = doc.putArray("items");
    groups.forEach(
        (group, versions) -> {
          if (group.isEmpty() != core) {
            return;
          }
          ObjectNode item = items.addObject();
          ObjectNode metadata = item.putObject("metadata");
          if (!group.isEmpty()) {
            metadata.put("name", group);
          }
          ArrayNode versionList = item.putArray("versions");
          versions.forEach(
              (version, types) -> {
                ObjectNode v = versionList.addObject();
                v.put("version", version);
                ArrayNode resources = v.putArray("resources");
                types.forEach(type -> resources.add(aggregatedResource(type)));
                v.put("freshness", "Current");
              });
        });
    return doc;
  }

  private ObjectNode aggregatedResource(ResourceType type) {
    ObjectNode r = Json.object();
    r.put("resource", type.plural());
    responseKind(r, type.group(), type.version(), type.kind());
    r.put("scope", type.namespaced() ? "Namespaced" : "Cluster");
    r.put("singularResource", type.singular());
    stringArray(r, "verbs", type.verbs());
    if (!type.shortNames().isEmpty()) {
      stringArray(r, "shortNames", type.shortNames());
    }
    if (!type.categories().isEmpty()) {
      stringArray(r, "categories", type.categories());
    }
    List<Subresource> subs = catalog.subresources(type);
    if (!subs.isEmpty()) {
      ArrayNode subresources = r.putArray("subresources");
      subs.stream()
          .sorted(Comparator.comparing(Subresource::name))
          .forEach(
              sub -> {
                ObjectNode s = subresources.addObject();
                s.put("subresource", sub.name());
                responseKind(s, sub.group(), sub.version(), sub.kind());
                stringArray(s, "verbs", sub.verbs());
              });
    }
    return r;
  }

  private static void responseKind(ObjectNode target, String group, String version, String kind) {
    ObjectNode rk = target.putObject("responseKind");
    rk.put("group", group);
    rk.put("version", version);
    rk.put("kind", kind);
  }

  private static void stringArray(ObjectNode target, String field, List<String> values) {
    ArrayNode array = target.putArray(field);
    values.forEach(array::add);
  }

  /**
   * A short stable digest of the storage group/version/kind, as Kubernetes publishes it so clients
   * can tell when the storage version of a resource changes.
   */
  static String storageVersionHash(ResourceType type) {
    String storageVersion =
        type.storageVersion() == null || type.storageVersion().isEmpty()
            ? type.version()
            : type.storageVersion();
    byte[] digest =
        sha256(
            (type.group() + "/" + storageVersion + "/" + type.kind())
                .getBytes(StandardCharsets.UTF_8));
    byte[] prefix = new byte[8];
    System.arraycopy(digest, 0, prefix, 0, 8);
    return Base64.getEncoder().encodeToString(prefix);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
