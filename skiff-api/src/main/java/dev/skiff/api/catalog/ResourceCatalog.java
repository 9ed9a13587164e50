package dev.skiff.api.catalog;

import dev.skiff.api.ResourceType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The served resources of an API server: each {@link ResourceType} per group version, its fabric8
 * model class, its subresources, and the order of groups and versions that discovery presents.
 *
 * <p>A catalog is immutable and safe to share. Custom resources are added by deriving a new catalog
 * with {@link #withTypes(Collection)} and removed with {@link #withoutResource(String, String)}; a
 * holder that serves requests swaps the reference atomically (e.g. in an {@code AtomicReference}).
 *
 * <p>Group order: {@link #groups()} starts with the core group "" and then the named groups in the
 * order of Kubernetes' {@code /apis}. Groups added later follow the built-in ones in alphabetical
 * order, and their versions are ordered by {@link KubeVersionOrder}, as Kubernetes orders
 * CustomResourceDefinition groups (all at the same default priority).
 */
public final class ResourceCatalog {
  /** The verbs of an ordinary built-in resource, in the order discovery lists them. */
  public static final List<String> STANDARD_VERBS = BuiltInResources.ALL_VERBS;

  /**
   * The verbs of a custom resource, in the order Kubernetes' discovery lists them for resources
   * defined by a CustomResourceDefinition.
   */
  public static final List<String> CUSTOM_RESOURCE_VERBS =
      List.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch");

  private static final ResourceCatalog BUILT_IN = fromTable(BuiltInResources.create());

  private final List<ResourceType> types;
  private final List<GroupVersions> groups;
  private final int builtInGroupCount;
  private final Map<String, ResourceType> byResource;
  private final Map<String, ResourceType> byKind;
  private final Map<String, Class<?>> models;
  private final Map<String, Map<String, Subresource>> subresources;

  private ResourceCatalog(
      List<ResourceType> types,
      Map<String, Class<?>> models,
      Map<String, Map<String, Subresource>> subresources,
      List<GroupVersions> groups,
      int builtInGroupCount) {
    this.types = List.copyOf(types);
    this.groups = List.copyOf(groups);
    this.builtInGroupCount = builtInGroupCount;
    this.models = Map.copyOf(models);
    Map<String, Map<String, Subresource>> subs = new HashMap<>();
    subresources.forEach(
        (k, v) -> subs.put(k, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v))));
    this.subresources = Map.copyOf(subs);
    Map<String, ResourceType> resources = new HashMap<>();
    Map<String, ResourceType> kinds = new HashMap<>();
    for (ResourceType t : this.types) {
      resources.put(subresourceKey(t.group(), t.version(), t.plural()), t);
      kinds.putIfAbsent(t.group() + "/" + t.version() + "/" + t.kind(), t);
    }
    this.byResource = Map.copyOf(resources);
    this.byKind = Map.copyOf(kinds);
  }

  private static ResourceCatalog fromTable(BuiltInResources.Table table) {
    Map<String, Class<?>> models = new HashMap<>();
    table
        .models()
        .forEach((t, c) -> models.put(subresourceKey(t.group(), t.version(), t.plural()), c));
    return new ResourceCatalog(
        table.types(), models, table.subresources(), table.groups(), table.groups().size());
  }

  /** The resources of Kubernetes v1.32 that Skiff serves. */
  public static ResourceCatalog builtIn() {
    return BUILT_IN;
  }

  /** Every resource of every group version, in group order. */
  public List<ResourceType> all() {
    return types;
  }

  /** The core group "" first, then the named groups in {@code /apis} order. */
  public List<GroupVersions> groups() {
    return groups;
  }

  /** The named groups as {@code /apis} lists them (without the core group). */
  public List<GroupVersions> namedGroups() {
    return groups.stream().filter(g -> !g.group().isEmpty()).toList();
  }

  public Optional<GroupVersions> group(String group) {
    return groups.stream().filter(g -> g.group().equals(group)).findFirst();
  }

  /** The resources served in one group version, in catalog order. */
  public List<ResourceType> resources(String group, String version) {
    return types.stream()
        .filter(t -> t.group().equals(group) && t.version().equals(version))
        .toList();
  }

  public Optional<ResourceType> find(String group, String version, String plural) {
    return Optional.ofNullable(byResource.get(subresourceKey(group, version, plural)));
  }

  public Optional<ResourceType> findByKind(String group, String version, String kind) {
    return Optional.ofNullable(byKind.get(group + "/" + version + "/" + kind));
  }

  /**
   * The resource of a group (any version) named by plural, singular or short name, case
   * insensitive, preferring the group's preferred version; what {@code kubectl get NAME} resolves.
   */
  public Optional<ResourceType> resolve(String group, String name) {
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    Optional<GroupVersions> gv = group(group);
    if (gv.isEmpty()) {
      return Optional.empty();
    }
    for (String version : gv.get().versions()) {
      for (ResourceType t : resources(group, version)) {
        if (t.plural().equals(lower)
            || t.singular().equals(lower)
            || t.shortNames().contains(lower)) {
          return Optional.of(t);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The resource whose objects this resource's objects are stored as. Versions of one resource
   * share their objects, stored in the storage version (autoscaling/v1 horizontalpodautoscalers are
   * stored as autoscaling/v2); events.k8s.io/v1 events cohabit with core v1 events, as in
   * Kubernetes, so both APIs see the same events. Returns the type itself when it is its own
   * storage.
   */
  public ResourceType storageType(ResourceType type) {
    if (type.group().equals("events.k8s.io") && type.plural().equals("events")) {
      return find("", "v1", "events").orElse(type);
    }
    return find(type.group(), type.storageVersion(), type.plural()).orElse(type);
  }

  /**
   * The storageVersionHash discovery shows for a resource: base64 of the first 8 bytes of the
   * SHA-256 of "group/version/kind" of its storage type. Clients compare it to notice storage
   * version changes.
   */
  public String storageVersionHash(ResourceType type) {
    ResourceType storage = storageType(type);
    String gvk = storage.group() + "/" + storage.storageVersion() + "/" + storage.kind();
    try {
      byte[] digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(gvk.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(digest, 8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The fabric8 model class of a resource, empty for resources without one (custom resources). */
  public Optional<Class<?>> modelClass(ResourceType type) {
    return Optional.ofNullable(
        models.get(subresourceKey(type.group(), type.version(), type.plural())));
  }

  /** The subresources of a resource as discovery describes them, in discovery order. */
  public List<Subresource> subresources(ResourceType type) {
    Map<String, Subresource> subs =
        subresources.get(subresourceKey(type.group(), type.version(), type.plural()));
    return subs == null ? List.of() : List.copyOf(subs.values());
  }

  public Optional<Subresource> subresource(ResourceType type, String name) {
    Map<String, Subresource> subs =
        subresources.get(subresourceKey(type.group(), type.version(), type.plural()));
    return subs == null ? Optional.empty() : Optional.ofNullable(subs.get(name));
  }

  /**
   * A catalog that also serves the given types (e.g. from CustomResourceDefinitions). A type with
   * the same group, version and plural as an existing one replaces it. Added types have no model
   * class; their "status" subresource returns their own kind and "scale" returns autoscaling/v1
   * Scale, both with the verbs get, patch and update. Other subresource names are rejected.
   */
  public ResourceCatalog withTypes(Collection<ResourceType> added) {
    List<ResourceType> newTypes = new ArrayList<>(types);
    Map<String, Class<?>> newModels = new HashMap<>(models);
    Map<String, Map<String, Subresource>> newSubs = new HashMap<>(subresources);
    for (ResourceType t : added) {
      Objects.requireNonNull(t, "type");
      String key = subresourceKey(t.group(), t.version(), t.plural());
      newTypes.removeIf(
          old -> subresourceKey(old.group(), old.version(), old.plural()).equals(key));
      newTypes.add(t);
      newModels.remove(key);
      Map<String, Subresource> subs = new LinkedHashMap<>();
      for (String name : t.subresources()) {
        subs.put(
            name,
            switch (name) {
              case "status" -> BuiltInResources.status(t.group(), t.version(), t.kind());
              case "scale" -> BuiltInResources.scale();
              default ->
                  throw new IllegalArgumentException(
                      "unsupported subresource " + name + " for " + t.plural());
            });
      }
      newSubs.put(key, subs);
    }
    return rebuild(newTypes, newModels, newSubs);
  }

  /** A catalog without the given resource in any version; built-in resources cannot be removed. */
  public ResourceCatalog withoutResource(String group, String plural) {
    if (BUILT_IN.types.stream()
        .anyMatch(t -> t.group().equals(group) && t.plural().equals(plural))) {
      throw new IllegalArgumentException("cannot remove built-in resource " + plural + "." + group);
    }
    List<ResourceType> newTypes = new ArrayList<>(types);
    newTypes.removeIf(t -> t.group().equals(group) && t.plural().equals(plural));
    Map<String, Map<String, Subresource>> newSubs = new HashMap<>(subresources);
    newSubs.keySet().removeIf(k -> k.startsWith(group + "/") && k.endsWith("/" + plural));
    return rebuild(newTypes, models, newSubs);
  }

  private ResourceCatalog rebuild(
      List<ResourceType> newTypes,
      Map<String, Class<?>> newModels,
      Map<String, Map<String, Subresource>> newSubs) {
    List<GroupVersions> builtInGroups = new ArrayList<>();
    for (GroupVersions g : groups.subList(0, builtInGroupCount)) {
      List<String> versions =
          new ArrayList<>(BUILT_IN.group(g.group()).map(GroupVersions::versions).orElse(List.of()));
      newTypes.stream()
          .filter(t -> t.group().equals(g.group()) && !versions.contains(t.version()))
          .map(ResourceType::version)
          .distinct()
          .sorted(KubeVersionOrder.INSTANCE)
          .forEach(versions::add);
      builtInGroups.add(new GroupVersions(g.group(), versions));
    }
    Map<String, List<String>> extra = new java.util.TreeMap<>();
    for (ResourceType t : newTypes) {
      if (builtInGroups.stream().noneMatch(g -> g.group().equals(t.group()))) {
        List<String> versions = extra.computeIfAbsent(t.group(), g -> new ArrayList<>());
        if (!versions.contains(t.version())) {
          versions.add(t.version());
        }
      }
    }
    List<GroupVersions> newGroups = new ArrayList<>(builtInGroups);
    extra.forEach(
        (group, versions) -> {
          versions.sort(KubeVersionOrder.INSTANCE);
          newGroups.add(new GroupVersions(group, versions));
        });
    List<String> groupOrder = newGroups.stream().map(GroupVersions::group).toList();
    List<ResourceType> ordered = new ArrayList<>(newTypes);
    ordered.sort(Comparator.comparingInt(t -> groupOrder.indexOf(t.group())));
    Map<String, Class<?>> keptModels = new HashMap<>();
    for (ResourceType t : ordered) {
      String key = subresourceKey(t.group(), t.version(), t.plural());
      if (newModels.containsKey(key)) {
        keptModels.put(key, newModels.get(key));
      }
    }
    return new ResourceCatalog(ordered, keptModels, newSubs, newGroups, builtInGroupCount);
  }

  static String subresourceKey(String group, String version, String plural) {
    return group + "/" + version + "/" + plural;
  }
}
