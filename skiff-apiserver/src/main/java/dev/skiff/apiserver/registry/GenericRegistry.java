package dev.skiff.apiserver.registry;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.validation.FieldError;
import dev.skiff.apiserver.admission.Admission;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.watch.WatchCache;
import dev.skiff.storage.KeyExists;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RevisionConflict;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Create, read, update and delete for every resource, once: names and generateName, uid,
 * timestamps, generation, resourceVersion preconditions, status separation, finalizers, graceful
 * deletion, dry run, managedFields and storage error translation. Per-kind policy comes from the
 * {@link ResourceStrategy}. Objects are in the storage version of the resource.
 */
public final class GenericRegistry {
  private static final int MAX_ATTEMPTS = 16;
  private static final int GENERATE_NAME_ATTEMPTS = 8;
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  private final Store store;
  private final ResourceType type;
  private final ResourceStrategy strategy;
  private final DeletionStrategy deletion;
  private final WatchCache cache;
  private final RegistryContext context;
  private final boolean hasStatus;

  public GenericRegistry(
      Store store,
      ResourceType type,
      ResourceStrategy strategy,
      WatchCache cache,
      RegistryContext context) {
    this.store = store;
    this.type = type;
    this.strategy = strategy;
    this.deletion = strategy instanceof DeletionStrategy d ? d : new DeletionStrategy() {};
    this.cache = cache;
    this.context = context;
    this.hasStatus = type.hasSubresource("status");
  }

  public ResourceType type() {
    return type;
  }

  public ResourceStrategy strategy() {
    return strategy;
  }

  public DeletionStrategy deletion() {
    return deletion;
  }

  public WatchCache cache() {
    return cache;
  }

  /** The stored object, read from the store (a quorum read). */
  public ObjectNode get(String namespace, String name) {
    return read(namespace, name)
        .map(GenericRegistry::decode)
        .orElseThrow(() -> ApiException.notFound(type.group(), type.plural(), name));
  }

  private Optional<KeyValue> read(String namespace, String name) {
    try {
      return store.get(type.key(namespace, name));
    } catch (StoreException e) {
      throw StorageErrors.translate(e, type, name);
    }
  }

  /** Stored bytes to an object with metadata.resourceVersion set. */
  public static ObjectNode decode(KeyValue kv) {
    ObjectNode object = Json.parseObject(kv.value());
    Meta.metadata(object).put("resourceVersion", Long.toString(kv.modRevision()));
    return object;
  }

  private static byte[] encode(ObjectNode object) {
    ObjectNode copy = object.deepCopy();
    Meta.metadata(copy).remove("resourceVersion");
    return Json.bytes(copy);
  }

  /** The registry clock's current time as a metav1.Time string. */
  public String now() {
    return timestamp(context.clock().instant());
  }

  /** RFC 3339 with seconds, as Kubernetes writes metav1.Time. */
  public static String timestamp(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  // ---- create

  public WriteResult create(String namespace, ObjectNode body, WriteOptions options) {
    ObjectNode object = body.deepCopy();
    ObjectNode metadata = Meta.metadata(object);
    placeInNamespace(namespace, metadata);
    object.put("apiVersion", type.apiVersion());
    object.put("kind", type.kind());
    strategy.applyDefaults(object);
    String generateName = Meta.text(metadata, "generateName");
    boolean generated = Meta.text(metadata, "name").isEmpty() && !generateName.isEmpty();
    if (generated) {
      metadata.put("name", generateName(generateName));
    }
    metadata.remove("resourceVersion");
    metadata.remove("selfLink");
    metadata.remove("deletionTimestamp");
    metadata.remove("deletionGracePeriodSeconds");
    metadata.put(
        "uid", new UUID(context.random().nextLong(), context.random().nextLong()).toString());
    metadata.put("creationTimestamp", now());
    if (strategy.traits().tracksGeneration()) {
      metadata.put("generation", 1);
    } else {
      metadata.remove("generation");
    }
    if (hasStatus && !strategy.traits().keepsStatusOnCreate()) {
      object.remove("status");
    }
    boolean stored = false;
    try {
      AdmissionRequest admission =
          Admission.mutate(
              AdmissionRequest.Operation.CREATE,
              type,
              "",
              namespace,
              Meta.name(object),
              object,
              null,
              options.dryRun());
      strategy.prepareForCreate(object);
      List<FieldError> errors = new ArrayList<>();
      errors.addAll(MetadataValidation.validate(object, strategy.traits().nameRule()));
      errors.addAll(strategy.validate(object));
      if (!errors.isEmpty()) {
        throw invalid(Meta.name(object), errors);
      }
      if (type.namespaced()) {
        context.namespaces().checkCreate(namespace, type.group(), type.plural(), Meta.name(object));
      }
      Admission.validate(admission);
      ManagedFields.record(object, null, options, null, context.clock());
      if (options.dryRun()) {
        return new WriteResult(object, true, false);
      }
      for (int attempt = 1; ; attempt++) {
        String name = Meta.name(object);
        try {
          long rev = store.create(type.key(namespace, name), encode(object));
          cache.noteWrite(rev);
          metadata.put("resourceVersion", Long.toString(rev));
          stored = true;
          return new WriteResult(object, true, false);
        } catch (KeyExists e) {
          if (!generated || attempt >= GENERATE_NAME_ATTEMPTS) {
            throw StorageErrors.translate(e, type, name);
          }
          metadata.put("name", generateName(generateName));
        } catch (StoreException e) {
          throw StorageErrors.translate(e, type, name);
        }
      }
    } finally {
      if (strategy instanceof CreateFinisher finisher) {
        finisher.finishCreate(object, stored);
      }
    }
  }

  private void placeInNamespace(String namespace, ObjectNode metadata) {
    if (!type.namespaced()) {
      metadata.remove("namespace");
      return;
    }
    String given = Meta.text(metadata, "namespace");
    if (!given.isEmpty() && !given.equals(namespace)) {
      throw ApiException.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    metadata.put("namespace", namespace);
  }

  private String generateName(String base) {
    String prefix = base.length() > 58 ? base.substring(0, 58) : base;
    StringBuilder name = new StringBuilder(prefix);
    for (int i = 0; i < 5; i++) {
      name.append(NAME_CHARS.charAt(context.random().nextInt(NAME_CHARS.length())));
    }
    return name.toString();
  }

  private ApiException invalid(String name, List<FieldError> errors) {
    List<ApiException.Cause> causes =
        errors.stream()
            .map(e -> new ApiException.Cause(e.type().reason(), e.body(), e.field()))
            .toList();
    return ApiException.invalid(type.group(), type.kind(), name, causes);
  }

  // ---- update and patch

  /** PUT: replaces the object (or its status) with {@code body}. */
  public WriteResult update(
      String namespace, String name, ObjectNode body, UpdateMode mode, WriteOptions options) {
    String bodyName = Meta.name(body);
    if (!bodyName.isEmpty() && !bodyName.equals(name)) {
      throw ApiException.badRequest(
          "the name of the object ("
              + bodyName
              + ") does not match the name on the URL ("
              + name
              + ")");
    }
    boolean conditional = !Meta.resourceVersion(body).isEmpty();
    if (!conditional && !strategy.traits().allowUnconditionalUpdate()) {
      throw invalid(
          name,
          List.of(
              FieldError.invalid(
                  "metadata.resourceVersion", "", "must be specified for an update")));
    }
    return guaranteedUpdate(namespace, name, current -> body.deepCopy(), mode, options, body);
  }

  /**
   * PATCH and subresource writes: {@code change} turns a copy of the stored object into the desired
   * one. Retried on conflicts unless the result names a resourceVersion.
   */
  public WriteResult patch(
      String namespace,
      String name,
      UnaryOperator<ObjectNode> change,
      UpdateMode mode,
      WriteOptions options) {
    return guaranteedUpdate(namespace, name, change, mode, options, null);
  }

  private WriteResult guaranteedUpdate(
      String namespace,
      String name,
      UnaryOperator<ObjectNode> change,
      UpdateMode mode,
      WriteOptions options,
      ObjectNode createBody) {
    for (int attempt = 1; ; attempt++) {
      Optional<KeyValue> stored = read(namespace, name);
      if (stored.isEmpty()) {
        if (createBody != null
            && mode == UpdateMode.MAIN
            && strategy.traits().allowCreateOnUpdate()) {
          ObjectNode body = createBody.deepCopy();
          Meta.metadata(body).remove("resourceVersion");
          Meta.metadata(body).put("name", name);
          return create(namespace, body, options);
        }
        throw ApiException.notFound(type.group(), type.plural(), name);
      }
      KeyValue kv = stored.get();
      ObjectNode current = decode(kv);
      ObjectNode desired = change.apply(current.deepCopy());
      String requestedVersion = Meta.resourceVersion(desired);
      if (!requestedVersion.isEmpty() && !requestedVersion.equals(Meta.resourceVersion(current))) {
        throw conflict(name);
      }
      boolean written = false;
      try {
        PreparedUpdate prepared =
            prepareUpdate(namespace, name, current, desired, mode, options.dryRun());
        ObjectNode object = prepared.object();
        Admission.validate(prepared.admission());
        String subresource = options.subresource().isEmpty() ? null : options.subresource();
        ManagedFields.record(object, current, options, subresource, context.clock());
        if (unchanged(object, current)) {
          return new WriteResult(current, false, false);
        }
        boolean remove = removableAfterUpdate(object, current);
        if (options.dryRun()) {
          return new WriteResult(object, false, remove);
        }
        try {
          long rev;
          if (remove) {
            rev = store.delete(kv.key(), kv.modRevision());
          } else {
            rev = store.update(kv.key(), encode(object), kv.modRevision());
          }
          cache.noteWrite(rev);
          Meta.metadata(object).put("resourceVersion", Long.toString(rev));
          written = true;
          return new WriteResult(object, false, remove);
        } catch (RevisionConflict e) {
          // retry: a request that named a resourceVersion then fails the precondition above
          if (attempt >= MAX_ATTEMPTS) {
            throw conflict(name);
          }
        } catch (StoreException e) {
          throw StorageErrors.translate(e, type, name);
        }
      } finally {
        // the main resource's object is desired itself (see prepareUpdate)
        if (mode == UpdateMode.MAIN && strategy instanceof UpdateFinisher finisher) {
          finisher.finishUpdate(desired, current, written);
        }
      }
    }
  }

  private ApiException conflict(String name) {
    return ApiException.conflict(type.group(), type.plural(), name, StorageErrors.OBJECT_MODIFIED);
  }

  private static boolean unchanged(ObjectNode object, ObjectNode current) {
    ObjectNode a = object.deepCopy();
    ObjectNode b = current.deepCopy();
    for (ObjectNode o : List.of(a, b)) {
      Meta.metadata(o).remove("managedFields");
      Meta.metadata(o).remove("resourceVersion");
    }
    return a.equals(b);
  }

  /**
   * Kubernetes deletes an object during an update that leaves a deleted object nothing holding it.
   */
  private boolean removableAfterUpdate(ObjectNode object, ObjectNode current) {
    return Meta.deleting(current)
        && current.path("metadata").path("deletionGracePeriodSeconds").asLong(0) == 0
        && Meta.finalizers(object).isEmpty()
        && !deletion.holdsOnDelete(object.deepCopy());
  }

  /** An update's object after mutating admission and validation, and its admission request. */
  private record PreparedUpdate(ObjectNode object, AdmissionRequest admission) {}

  private PreparedUpdate prepareUpdate(
      String namespace,
      String name,
      ObjectNode current,
      ObjectNode desired,
      UpdateMode mode,
      boolean dryRun) {
    ObjectNode object;
    if (mode == UpdateMode.STATUS) {
      object = current.deepCopy();
      object.remove("status");
      if (desired.has("status")) {
        object.set("status", desired.get("status"));
      }
      Meta.metadata(object).put("resourceVersion", Meta.resourceVersion(desired));
    } else {
      object = desired;
    }
    ObjectNode metadata = Meta.metadata(object);
    ObjectNode old = (ObjectNode) current.get("metadata");
    metadata.put("name", name);
    placeInNamespace(namespace, metadata);
    object.put("apiVersion", type.apiVersion());
    object.put("kind", type.kind());
    List<FieldError> errors = new ArrayList<>();
    String uid = Meta.text(metadata, "uid");
    if (!uid.isEmpty() && !uid.equals(Meta.text(old, "uid"))) {
      errors.add(FieldError.invalid("metadata.uid", uid, "field is immutable"));
    }
    for (String field :
        List.of(
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "generateName")) {
      JsonNode value = old.get(field);
      if (value == null || value.isNull()) {
        metadata.remove(field);
      } else {
        metadata.set(field, value);
      }
    }
    metadata.remove("selfLink");
    if (Meta.deleting(current)) {
      List<String> added = new ArrayList<>(Meta.finalizers(object));
      added.removeAll(Meta.finalizers(current));
      if (!added.isEmpty()) {
        errors.add(
            FieldError.forbidden(
                "metadata.finalizers",
                "no new finalizers can be added if the object is being deleted, found new"
                    + " finalizers []string{"
                    + String.join(", ", added.stream().map(f -> "\"" + f + "\"").toList())
                    + "}"));
      }
    }
    if (mode == UpdateMode.MAIN && hasStatus) {
      object.remove("status");
      if (current.has("status")) {
        object.set("status", current.get("status"));
      }
    }
    AdmissionRequest admission =
        Admission.mutate(
            AdmissionRequest.Operation.UPDATE,
            type,
            mode == UpdateMode.STATUS ? "status" : "",
            namespace,
            name,
            object,
            current,
            dryRun);
    if (mode == UpdateMode.MAIN) {
      strategy.applyDefaults(object);
      strategy.prepareForUpdate(object, current);
    }
    if (strategy.traits().tracksGeneration()
        && !Meta.specPart(object).equals(Meta.specPart(current))) {
      metadata.put("generation", current.path("metadata").path("generation").asLong(0) + 1);
    }
    errors.addAll(MetadataValidation.validate(object, strategy.traits().nameRule()));
    if (mode == UpdateMode.MAIN) {
      errors.addAll(strategy.validateUpdate(object, current));
    }
    if (!errors.isEmpty()) {
      throw invalid(name, errors);
    }
    return new PreparedUpdate(object, admission);
  }

  // ---- delete

  public WriteResult delete(String namespace, String name, DeleteOptions options) {
    for (int attempt = 1; ; attempt++) {
      Optional<KeyValue> stored = read(namespace, name);
      if (stored.isEmpty()) {
        throw ApiException.notFound(type.group(), type.plural(), name);
      }
      KeyValue kv = stored.get();
      ObjectNode current = decode(kv);
      checkPreconditions(name, current, options);
      Admission.validate(
          Admission.mutate(
              AdmissionRequest.Operation.DELETE,
              type,
              "",
              namespace,
              name,
              null,
              current,
              options.dryRun()));
      ObjectNode object = current.deepCopy();
      List<String> finalizers = new ArrayList<>(Meta.finalizers(object));
      if ("Orphan".equals(options.propagationPolicy())) {
        finalizers.remove("foregroundDeletion");
        if (!finalizers.contains("orphan")) {
          finalizers.add("orphan");
        }
      } else if ("Foreground".equals(options.propagationPolicy())) {
        finalizers.remove("orphan");
        if (!finalizers.contains("foregroundDeletion")) {
          finalizers.add("foregroundDeletion");
        }
      }
      Meta.setFinalizers(object, finalizers);
      long grace = deletion.gracePeriodSeconds(object, options.gracePeriodSeconds());
      boolean holds = deletion.holdsOnDelete(object);
      ObjectNode metadata = Meta.metadata(object);
      boolean immediate = finalizers.isEmpty() && !holds && grace == 0;
      try {
        if (immediate) {
          if (options.dryRun()) {
            return new WriteResult(current, false, true);
          }
          long rev = store.delete(kv.key(), kv.modRevision());
          cache.noteWrite(rev);
          return new WriteResult(current, false, true);
        }
        Instant now = context.clock().instant();
        long existingGrace = metadata.path("deletionGracePeriodSeconds").asLong(Long.MAX_VALUE);
        if (!Meta.deleting(current) && metadata.path("generation").asLong(0) > 0) {
          metadata.put("generation", metadata.path("generation").asLong() + 1);
        }
        if (!Meta.deleting(current) || grace < existingGrace) {
          metadata.put("deletionTimestamp", timestamp(now.plusSeconds(grace)));
          metadata.put("deletionGracePeriodSeconds", grace);
        }
        if (object.equals(current) || options.dryRun()) {
          return new WriteResult(object, false, false);
        }
        long rev = store.update(kv.key(), encode(object), kv.modRevision());
        cache.noteWrite(rev);
        metadata.put("resourceVersion", Long.toString(rev));
        return new WriteResult(object, false, false);
      } catch (RevisionConflict e) {
        if (attempt >= MAX_ATTEMPTS) {
          throw conflict(name);
        }
      } catch (StoreException e) {
        throw StorageErrors.translate(e, type, name);
      }
    }
  }

  private void checkPreconditions(String name, ObjectNode current, DeleteOptions options) {
    if (options.uid() != null && !options.uid().equals(Meta.uid(current))) {
      throw ApiException.conflict(
          type.group(),
          type.plural(),
          name,
          "Precondition failed: UID in precondition: "
              + options.uid()
              + ", UID in object meta: "
              + Meta.uid(current));
    }
    if (options.resourceVersion() != null
        && !options.resourceVersion().equals(Meta.resourceVersion(current))) {
      throw ApiException.conflict(
          type.group(),
          type.plural(),
          name,
          "Precondition failed: ResourceVersion in precondition: "
              + options.resourceVersion()
              + ", ResourceVersion in object meta: "
              + Meta.resourceVersion(current));
    }
  }
}
