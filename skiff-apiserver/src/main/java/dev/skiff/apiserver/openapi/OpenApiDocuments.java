package dev.skiff.apiserver.openapi;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.GroupVersions;
import dev.skiff.api.catalog.ResourceCatalog;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Status;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI documents of one catalog: the Swagger 2.0 document of everything ({@code
 * /openapi/v2}) and one OpenAPI 3.0 document per group version ({@code /openapi/v3/apis/apps/v1}),
 * each generated on first use and kept.
 */
final class OpenApiDocuments {
  /** A serialized document and the hash that names its content. */
  record Document(byte[] body, String hash) {}

  private static final List<Class<?>> COMMON =
      List.of(Status.class, DeleteOptions.class, APIResourceList.class, ObjectMeta.class);

  private final ResourceCatalog catalog;
  private final String serverVersion;
  private final Function<ResourceType, Optional<ObjectNode>> customSchemas;
  private final SchemaGenerator v2Schemas;
  private final SchemaGenerator v3Schemas;
  private volatile Document v2;
  private volatile Document v2Protobuf;
  private volatile Document v3Index;
  private final Map<String, Document> v3 = new HashMap<>();

  private final OpenApiDocuments previous;
  private final Map<String, ArrayNode> gvks;

  /**
   * @param previous the documents of the catalog this one replaces, or null: schemas and built-in
   *     group version documents that did not change are taken over instead of generated again
   */
  OpenApiDocuments(
      ResourceCatalog catalog,
      PatchTags.Lookup patchTags,
      String serverVersion,
      Function<ResourceType, Optional<ObjectNode>> customSchemas,
      OpenApiDocuments previous) {
    this.catalog = catalog;
    this.serverVersion = serverVersion;
    this.customSchemas = customSchemas;
    this.gvks = groupVersionKinds(catalog);
    if (previous != null && previous.gvks.equals(gvks)) {
      this.v2Schemas = previous.v2Schemas;
      this.v3Schemas = previous.v3Schemas;
    } else {
      this.v2Schemas = new SchemaGenerator(SchemaGenerator.Dialect.V2, patchTags, gvks);
      this.v3Schemas = new SchemaGenerator(SchemaGenerator.Dialect.V3, patchTags, gvks);
    }
    this.previous = previous;
  }

  /** The Swagger 2.0 document of every served resource. */
  Document v2() {
    Document doc = v2;
    if (doc == null) {
      synchronized (this) {
        if (v2 == null) {
          v2 = document(buildV2());
        }
        doc = v2;
      }
    }
    return doc;
  }

  /** The Swagger 2.0 document as gnostic's protobuf message, which kubectl asks for. */
  Document v2Protobuf() {
    Document doc = v2Protobuf;
    if (doc == null) {
      synchronized (this) {
        if (v2Protobuf == null) {
          byte[] body = SwaggerProtobuf.encode(Json.MAPPER.readTree(v2().body()));
          v2Protobuf = new Document(body, sha512(body));
        }
        doc = v2Protobuf;
      }
    }
    return doc;
  }

  /** {@code {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}, …}}}. */
  Document v3Index() {
    Document doc = v3Index;
    if (doc == null) {
      synchronized (this) {
        if (v3Index == null) {
          ObjectNode index = Json.object();
          ObjectNode paths = index.putObject("paths");
          for (String path : groupVersionPaths()) {
            paths
                .putObject(path)
                .put(
                    "serverRelativeURL",
                    "/openapi/v3/" + path + "?hash=" + v3(path).orElseThrow().hash());
          }
          v3Index = document(index);
        }
        doc = v3Index;
      }
    }
    return doc;
  }

  /** The OpenAPI 3.0 document of one group version path, e.g. "api/v1" or "apis/apps/v1". */
  Optional<Document> v3(String path) {
    synchronized (v3) {
      Document doc = v3.get(path);
      if (doc != null) {
        return Optional.of(doc);
      }
      for (GroupVersions group : catalog.groups()) {
        for (String version : group.versions()) {
          if (pathOf(group.group(), version).equals(path)) {
            doc =
                unchanged(group.group(), version)
                    .orElseGet(() -> document(buildV3(group.group(), version)));
            v3.put(path, doc);
            return Optional.of(doc);
          }
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The previous catalog's document of a group version whose resources are the same built-in ones,
   * if it was generated; custom resources are never taken over, as their schemas may have changed.
   */
  private Optional<Document> unchanged(String group, String version) {
    if (previous == null || previous.v3Schemas != v3Schemas) {
      return Optional.empty();
    }
    List<ResourceType> types = catalog.resources(group, version);
    if (!types.equals(previous.catalog.resources(group, version))
        || types.stream().anyMatch(t -> catalog.modelClass(t).isEmpty())) {
      return Optional.empty();
    }
    synchronized (previous.v3) {
      return Optional.ofNullable(previous.v3.get(pathOf(group, version)));
    }
  }

  private List<String> groupVersionPaths() {
    List<String> paths = new ArrayList<>();
    for (GroupVersions group : catalog.groups()) {
      for (String version : group.versions()) {
        if (!catalog.resources(group.group(), version).isEmpty()) {
          paths.add(pathOf(group.group(), version));
        }
      }
    }
    return paths;
  }

  static String pathOf(String group, String version) {
    return group.isEmpty() ? "api/" + version : "apis/" + group + "/" + version;
  }

  private ObjectNode buildV2() {
    ObjectNode doc = Json.object();
    doc.put("swagger", "2.0");
    info(doc);
    ObjectNode paths = doc.putObject("paths");
    Map<String, ObjectNode> definitions = new TreeMap<>();
    Set<Class<?>> roots = new LinkedHashSet<>(COMMON);
    for (ResourceType type : catalog.all()) {
      addPaths(paths, type, SchemaGenerator.Dialect.V2, v2Schemas);
      roots.addAll(modelClasses(type));
      custom(type, SchemaGenerator.Dialect.V2).ifPresent(s -> definitions.put(customName(type), s));
    }
    v2Schemas.collect(roots, definitions);
    ObjectNode defs = doc.putObject("definitions");
    definitions.forEach(defs::set);
    ObjectNode security = doc.putObject("securityDefinitions").putObject("BearerToken");
    security.put("type", "apiKey");
    security.put("name", "authorization");
    security.put("in", "header");
    doc.putArray("security").addObject().putArray("BearerToken");
    return doc;
  }

  private ObjectNode buildV3(String group, String version) {
    ObjectNode doc = Json.object();
    doc.put("openapi", "3.0.0");
    info(doc);
    ObjectNode paths = doc.putObject("paths");
    Map<String, ObjectNode> schemas = new TreeMap<>();
    Set<Class<?>> roots = new LinkedHashSet<>(COMMON);
    for (ResourceType type : catalog.resources(group, version)) {
      addPaths(paths, type, SchemaGenerator.Dialect.V3, v3Schemas);
      roots.addAll(modelClasses(type));
      custom(type, SchemaGenerator.Dialect.V3).ifPresent(s -> schemas.put(customName(type), s));
    }
    v3Schemas.collect(roots, schemas);
    ObjectNode components = doc.putObject("components");
    ObjectNode schemaNode = components.putObject("schemas");
    schemas.forEach(schemaNode::set);
    ObjectNode bearer = components.putObject("securitySchemes").putObject("BearerToken");
    bearer.put("type", "apiKey");
    bearer.put("name", "authorization");
    bearer.put("in", "header");
    return doc;
  }

  private void info(ObjectNode doc) {
    ObjectNode info = doc.putObject("info");
    info.put("title", "Kubernetes");
    info.put("version", serverVersion);
  }

  private List<Class<?>> modelClasses(ResourceType type) {
    Optional<Class<?>> model = catalog.modelClass(type);
    if (model.isEmpty()) {
      return List.of();
    }
    List<Class<?>> classes = new ArrayList<>(List.of(model.get()));
    listClass(model.get()).ifPresent(classes::add);
    return classes;
  }

  private static Optional<Class<?>> listClass(Class<?> model) {
    try {
      return Optional.of(Class.forName(model.getName() + "List", false, model.getClassLoader()));
    } catch (ClassNotFoundException e) {
      return Optional.empty();
    }
  }

  private static String customName(ResourceType type) {
    return DefinitionNames.custom(type.group(), type.version(), type.kind());
  }

  /** The schema of a resource without a model class (a custom resource). */
  private Optional<ObjectNode> custom(ResourceType type, SchemaGenerator.Dialect dialect) {
    if (catalog.modelClass(type).isPresent()) {
      return Optional.empty();
    }
    ObjectNode schema =
        customSchemas
            .apply(type)
            .map(ObjectNode::deepCopy)
            .orElseGet(
                () -> {
                  ObjectNode s = Json.object();
                  s.put("type", "object");
                  s.put("x-kubernetes-preserve-unknown-fields", true);
                  ObjectNode props = s.putObject("properties");
                  props.putObject("apiVersion").put("type", "string");
                  props.putObject("kind").put("type", "string");
                  props
                      .putObject("metadata")
                      .put("$ref", dialect.refPrefix + DefinitionNames.of(ObjectMeta.class));
                  return s;
                });
    ArrayNode gvk = schema.putArray("x-kubernetes-group-version-kind");
    gvk.add(gvkNode(type.group(), type.version(), type.kind()));
    return Optional.of(schema);
  }

  private static final List<String> WRITE_PARAMETERS =
      List.of("dryRun", "fieldManager", "fieldValidation");
  private static final List<String> PATCH_TYPES =
      List.of(
          "application/apply-patch+yaml",
          "application/json-patch+json",
          "application/merge-patch+json",
          "application/strategic-merge-patch+json");

  private void addPaths(
      ObjectNode paths,
      ResourceType type,
      SchemaGenerator.Dialect dialect,
      SchemaGenerator schemas) {
    String prefix = "/" + pathOf(type.group(), type.version());
    String gv = operationGroupVersion(type.group(), type.version());
    Optional<Class<?>> model = catalog.modelClass(type);
    String itemRef = model.map(schemas::ref).orElse(dialect.refPrefix + customName(type));
    String listRef = model.flatMap(OpenApiDocuments::listClass).map(schemas::ref).orElse(null);
    String statusRef = schemas.ref(Status.class);
    String tag = tagOf(type.group(), type.version());
    String scope = type.namespaced() ? "Namespaced" : "";
    String kind = type.kind();
    List<String> verbs = type.verbs();
    String collectionPath =
        type.namespaced()
            ? prefix + "/namespaces/{namespace}/" + type.plural()
            : prefix + "/" + type.plural();
    List<String> collectionParameters = type.namespaced() ? List.of("namespace") : List.of();
    List<String> itemParameters =
        type.namespaced() ? List.of("name", "namespace") : List.of("name");

    ObjectNode collection = Json.object();
    if (verbs.contains("list")) {
      collection.set(
          "get", operation(dialect, type, tag, "list" + gv + scope + kind, "list", listRef));
    }
    if (verbs.contains("create")) {
      ObjectNode post =
          operation(dialect, type, tag, "create" + gv + scope + kind, "post", itemRef);
      requestBody(post, dialect, List.of("*/*"), itemRef);
      queryParameters(post, dialect, WRITE_PARAMETERS);
      collection.set("post", post);
    }
    if (verbs.contains("deletecollection")) {
      ObjectNode delete =
          operation(
              dialect,
              type,
              tag,
              "deletecollection" + gv + scope + kind,
              "deletecollection",
              statusRef);
      queryParameters(
          delete, dialect, List.of("dryRun", "gracePeriodSeconds", "propagationPolicy"));
      collection.set("delete", delete);
    }
    if (!collection.isEmpty()) {
      pathParameters(collection, dialect, collectionParameters);
      paths.set(collectionPath, collection);
    }

    ObjectNode item = Json.object();
    if (verbs.contains("get")) {
      item.set("get", operation(dialect, type, tag, "read" + gv + scope + kind, "get", itemRef));
    }
    if (verbs.contains("update")) {
      ObjectNode put = operation(dialect, type, tag, "replace" + gv + scope + kind, "put", itemRef);
      requestBody(put, dialect, List.of("*/*"), itemRef);
      queryParameters(put, dialect, WRITE_PARAMETERS);
      item.set("put", put);
    }
    if (verbs.contains("patch")) {
      ObjectNode patch =
          operation(dialect, type, tag, "patch" + gv + scope + kind, "patch", itemRef);
      // Strategic merge needs the model's patch tags: custom resources only take the others.
      List<String> patchTypes =
          model.isPresent()
              ? PATCH_TYPES
              : PATCH_TYPES.stream().filter(t -> !t.contains("strategic")).toList();
      requestBody(patch, dialect, patchTypes, null);
      List<String> parameters = new ArrayList<>(WRITE_PARAMETERS);
      parameters.add("force");
      queryParameters(patch, dialect, parameters);
      item.set("patch", patch);
    }
    if (verbs.contains("delete")) {
      ObjectNode delete =
          operation(dialect, type, tag, "delete" + gv + scope + kind, "delete", statusRef);
      queryParameters(
          delete, dialect, List.of("dryRun", "gracePeriodSeconds", "propagationPolicy"));
      item.set("delete", delete);
    }
    if (!item.isEmpty()) {
      pathParameters(item, dialect, itemParameters);
      paths.set(collectionPath + "/{name}", item);
    }

    if (type.namespaced() && verbs.contains("list")) {
      ObjectNode all = paths.putObject(prefix + "/" + type.plural());
      all.set(
          "get",
          operation(dialect, type, tag, "list" + gv + kind + "ForAllNamespaces", "list", listRef));
    }
  }

  private static ObjectNode operation(
      SchemaGenerator.Dialect dialect,
      ResourceType type,
      String tag,
      String operationId,
      String action,
      String responseRef) {
    ObjectNode op = Json.object();
    op.putArray("tags").add(tag);
    op.put(
        "description",
        switch (action) {
          case "list" -> "list or watch objects of kind " + type.kind();
          case "post" -> "create a " + type.kind();
          case "put" -> "replace the specified " + type.kind();
          case "patch" -> "partially update the specified " + type.kind();
          case "delete" -> "delete a " + type.kind();
          case "deletecollection" -> "delete collection of " + type.kind();
          default -> "read the specified " + type.kind();
        });
    op.put("operationId", operationId);
    if (dialect == SchemaGenerator.Dialect.V2) {
      op.putArray("consumes").add("*/*");
      ArrayNode produces = op.putArray("produces");
      produces.add("application/json");
      produces.add("application/yaml");
      op.putArray("schemes").add("https");
    }
    ObjectNode responses = op.putObject("responses");
    ObjectNode ok = responses.putObject(action.equals("post") ? "201" : "200");
    ok.put("description", action.equals("post") ? "Created" : "OK");
    ObjectNode schema = Json.object();
    if (responseRef != null) {
      schema.put("$ref", responseRef);
    } else {
      schema.put("type", "object");
    }
    if (dialect == SchemaGenerator.Dialect.V2) {
      ok.set("schema", schema);
    } else {
      ObjectNode content = ok.putObject("content");
      content.putObject("application/json").set("schema", schema);
      content.putObject("application/yaml").set("schema", schema.deepCopy());
    }
    responses.putObject("401").put("description", "Unauthorized");
    op.put("x-kubernetes-action", action);
    op.set("x-kubernetes-group-version-kind", gvkNode(type.group(), type.version(), type.kind()));
    return op;
  }

  /** The body an operation takes: one schema (or any object when null) per content type. */
  private static void requestBody(
      ObjectNode op, SchemaGenerator.Dialect dialect, List<String> contentTypes, String ref) {
    ObjectNode schema = Json.object();
    if (ref != null) {
      schema.put("$ref", ref);
    } else {
      schema.put("type", "object");
    }
    if (dialect == SchemaGenerator.Dialect.V2) {
      ArrayNode consumes = op.putArray("consumes");
      contentTypes.forEach(consumes::add);
      ObjectNode body = Json.object();
      body.put("name", "body");
      body.put("in", "body");
      body.put("required", true);
      body.set("schema", schema);
      parameters(op).add(body);
    } else {
      ObjectNode content = op.putObject("requestBody").putObject("content");
      contentTypes.forEach(t -> content.putObject(t).set("schema", schema.deepCopy()));
      ((ObjectNode) op.get("requestBody")).put("required", true);
    }
  }

  private static ArrayNode parameters(ObjectNode op) {
    return op.has("parameters") ? (ArrayNode) op.get("parameters") : op.putArray("parameters");
  }

  private static void queryParameters(
      ObjectNode op, SchemaGenerator.Dialect dialect, List<String> names) {
    ArrayNode parameters = parameters(op);
    for (String name : names) {
      ObjectNode p = parameters.addObject();
      p.put("name", name);
      p.put("in", "query");
      String type =
          name.equals("force")
              ? "boolean"
              : name.equals("gracePeriodSeconds") ? "integer" : "string";
      if (dialect == SchemaGenerator.Dialect.V2) {
        p.put("type", type);
        p.put("uniqueItems", true);
      } else {
        ObjectNode schema = p.putObject("schema");
        schema.put("type", type);
        schema.put("uniqueItems", true);
      }
    }
  }

  private static void pathParameters(
      ObjectNode path, SchemaGenerator.Dialect dialect, List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    ArrayNode parameters = path.putArray("parameters");
    for (String name : names) {
      ObjectNode p = parameters.addObject();
      p.put("name", name);
      p.put("in", "path");
      p.put("required", true);
      p.put(
          "description",
          name.equals("name")
              ? "name of the object"
              : "object name and auth scope, such as for teams and projects");
      if (dialect == SchemaGenerator.Dialect.V2) {
        p.put("type", "string");
        p.put("uniqueItems", true);
      } else {
        ObjectNode schema = p.putObject("schema");
        schema.put("type", "string");
        schema.put("uniqueItems", true);
      }
    }
  }

  private static ObjectNode gvkNode(String group, String version, String kind) {
    ObjectNode gvk = Json.object();
    gvk.put("group", group);
    gvk.put("kind", kind);
    gvk.put("version", version);
    return gvk;
  }

  /** "CoreV1", "AppsV1", "RbacAuthorizationV1", "AutoscalingV2": Kubernetes' operation id infix. */
  static String operationGroupVersion(String group, String version) {
    StringBuilder out = new StringBuilder();
    String base = group.isEmpty() ? "core" : group.replaceAll("\\.k8s\\.io$", "");
    for (String part : base.split("[.-]")) {
      if (!part.isEmpty()) {
        out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return out.toString() + Character.toUpperCase(version.charAt(0)) + version.substring(1);
  }

  private static String tagOf(String group, String version) {
    String base = group.isEmpty() ? "core" : group.replaceAll("\\.k8s\\.io$", "");
    return base.replace('.', '_').replace('-', '_') + "_" + version;
  }

  private static Map<String, ArrayNode> groupVersionKinds(ResourceCatalog catalog) {
    Map<String, ArrayNode> gvks = new LinkedHashMap<>();
    for (ResourceType type : catalog.all()) {
      Optional<Class<?>> model = catalog.modelClass(type);
      if (model.isEmpty()) {
        continue;
      }
      addGvk(gvks, DefinitionNames.of(model.get()), type.group(), type.version(), type.kind());
      Optional<Class<?>> list = listClass(model.get());
      if (list.isPresent()) {
        addGvk(
            gvks,
            DefinitionNames.of(list.get()),
            type.group(),
            type.version(),
            type.kind() + "List");
      }
    }
    return gvks;
  }

  private static void addGvk(
      Map<String, ArrayNode> gvks, String name, String group, String version, String kind) {
    ArrayNode entries = gvks.computeIfAbsent(name, n -> Json.MAPPER.createArrayNode());
    for (var existing : entries) {
      if (existing.path("group").asString("").equals(group)
          && existing.path("version").asString("").equals(version)
          && existing.path("kind").asString("").equals(kind)) {
        return;
      }
    }
    entries.add(gvkNode(group, version, kind));
  }

  private static Document document(ObjectNode node) {
    byte[] body = Json.bytes(node);
    return new Document(body, sha512(body));
  }

  static String sha512(byte[] bytes) {
    try {
      return HexFormat.of()
          .withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
