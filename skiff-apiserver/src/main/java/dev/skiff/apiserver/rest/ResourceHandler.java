package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.api.selector.FieldSelector;
import dev.skiff.api.selector.LabelSelector;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.registry.DeleteOptions;
import dev.skiff.apiserver.registry.GenericRegistry;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.RegistryContext;
import dev.skiff.apiserver.registry.StorageErrors;
import dev.skiff.apiserver.registry.UpdateMode;
import dev.skiff.apiserver.registry.WriteOptions;
import dev.skiff.apiserver.registry.WriteResult;
import dev.skiff.apiserver.registry.core.ClusterIpAllocator;
import dev.skiff.apiserver.registry.core.NodePortAllocator;
import dev.skiff.apiserver.registry.core.ServiceAllocationRepair;
import dev.skiff.apiserver.watch.CachePage;
import dev.skiff.apiserver.watch.CachedObject;
import dev.skiff.apiserver.watch.TooOldResourceVersion;
import dev.skiff.apiserver.watch.WatchCache;
import dev.skiff.apiserver.watch.WatchCacheOptions;
import dev.skiff.apiserver.watch.WatchRequest;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Serves every resource URL ({@code /api/v1/...}, {@code /apis/GROUP/VERSION/...}): the verbs get,
 * list, watch, create, update, patch, delete and deletecollection, and the subresources. Lists and
 * watches come from one watch cache per resource; writes go through one {@link GenericRegistry} per
 * resource.
 */
public final class ResourceHandler implements ApiHandler, AutoCloseable {
  static final List<String> DEFAULT_NAMESPACES =
      List.of("default", "kube-system", "kube-public", "kube-node-lease");

  private final Store store;
  private final AtomicReference<ResourceCatalog> catalog;
  private final RegistryOptions options;
  private final RegistryContext context;
  private final Strategies strategies;
  private final ClusterIpAllocator clusterIps;
  private final WatchCacheOptions cacheOptions;
  private final ScheduledExecutorService scheduler;
  private final Map<String, GenericRegistry> registries = new ConcurrentHashMap<>();
  private final Subresources subresources;
  private final Responses responses;

  public ResourceHandler(Store store, ResourceCatalog catalog, RegistryOptions options) {
    this.store = store;
    this.catalog = new AtomicReference<>(catalog);
    this.options = options;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("watch-cache-timer").factory());
    this.cacheOptions =
        new WatchCacheOptions(
            options.watchCacheCapacity(),
            options.bookmarkInterval(),
            options.maxUnwritable(),
            options.clock(),
            scheduler);
    this.context = new RegistryContext(options.clock(), options.random(), this::checkNamespace);
    this.clusterIps =
        new ClusterIpAllocator(
            options.serviceCidr(), this::clusterIpsInUse, this::servicesRevision);
    this.strategies =
        new Strategies(
            clusterIps, new NodePortAllocator(this::nodePortsInUse, this::servicesRevision));
    this.subresources = new Subresources(this);
    this.responses = new Responses(options.clock());
  }

  /**
   * Creates the default namespaces if they are missing and checks the stored services' cluster IPs
   * and node ports ({@link ServiceAllocationRepair}); idempotent.
   */
  public void bootstrap() {
    GenericRegistry namespaces = registry(coreType("namespaces"));
    for (String name : DEFAULT_NAMESPACES) {
      ObjectNode namespace = Json.object();
      namespace.put("apiVersion", "v1");
      namespace.put("kind", "Namespace");
      namespace.putObject("metadata").put("name", name);
      try {
        namespaces.create("", namespace, new WriteOptions(false, "kube-apiserver", "v1"));
      } catch (ApiException e) {
        if (e.code() != 409) {
          throw e;
        }
      }
    }
    // the service account controller would make these a moment later; pods created right after
    // start must not be refused by ServiceAccount admission in the meantime
    GenericRegistry serviceAccounts = registry(coreType("serviceaccounts"));
    for (String name : DEFAULT_NAMESPACES) {
      ObjectNode account = Json.object();
      account.put("apiVersion", "v1");
      account.put("kind", "ServiceAccount");
      account.putObject("metadata").put("name", "default").put("namespace", name);
      try {
        serviceAccounts.create(name, account, new WriteOptions(false, "kube-apiserver", "v1"));
      } catch (ApiException e) {
        if (e.code() != 409) {
          throw e;
        }
      }
    }
    repairServiceAllocations();
  }

  /**
   * Serves {@code next} from now on (e.g. with the resources of a new CustomResourceDefinition).
   * Resources no longer served stop their watch caches; their stored objects stay.
   */
  public void useCatalog(ResourceCatalog next) {
    catalog.set(next);
    registries
        .entrySet()
        .removeIf(
            e -> {
              ResourceType type = e.getValue().type();
              boolean served =
                  next.all().stream()
                      .anyMatch(
                          t -> t.group().equals(type.group()) && t.plural().equals(type.plural()));
              if (!served) {
                e.getValue().cache().close();
              }
              return !served;
            });
  }

  @Override
  public void close() {
    registries.values().forEach(r -> r.cache().close());
    scheduler.shutdownNow();
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    RequestInfo info = RequestInfo.parse(request).orElseThrow(ResourceHandler::notFound);
    ResourceType type =
        catalog()
            .find(info.group(), info.version(), info.resource())
            .orElseThrow(ResourceHandler::notFound);
    String namespace = info.namespace();
    if (!type.namespaced()) {
      if (!namespace.isEmpty() && !type.plural().equals("namespaces")) {
        throw notFound();
      }
      namespace = "";
    } else if (namespace.isEmpty() && !info.verb().equals("list") && !info.verb().equals("watch")) {
      throw notFound();
    }
    boolean bindings = type.group().isEmpty() && type.plural().equals("bindings");
    GenericRegistry registry = registry(bindings ? coreType("pods") : type);
    Call call = new Call(request, info, type, registry, namespace);
    if (bindings) {
      if (!info.verb().equals("create") || !info.subresource().isEmpty()) {
        throw ApiException.methodNotAllowed(
            "the server does not allow this method on the requested resource");
      }
      return subresources.bindingResource(call, registry);
    }
    if (!info.subresource().isEmpty()) {
      return subresources.handle(call);
    }
    return switch (info.verb()) {
      case "get" -> get(call);
      case "list" -> list(call);
      case "watch" -> watch(call);
      case "create" -> create(call);
      case "update" -> update(call, UpdateMode.MAIN);
      case "patch" -> patch(call, UpdateMode.MAIN);
      case "delete" -> delete(call);
      case "deletecollection" -> deleteCollection(call);
      default ->
          throw ApiException.methodNotAllowed(
              "the server does not allow this method on the requested resource");
    };
  }

  /** One request resolved to its resource. */
  record Call(
      ApiRequest request,
      RequestInfo info,
      ResourceType type,
      GenericRegistry registry,
      String namespace) {
    String name() {
      return info.name();
    }
  }

  static ApiException notFound() {
    return new ApiException(
        404,
        "NotFound",
        "the server could not find the requested resource",
        new ApiException.Details(null, null, null, null, null));
  }

  // ---- registries and caches

  private ResourceType coreType(String plural) {
    return catalog().find("", "v1", plural).orElseThrow();
  }

  /** The storage-version type of a resource. */
  ResourceType storageType(ResourceType type) {
    return catalog().storageType(type);
  }

  /** The registry of a resource (any version), started on first use. */
  GenericRegistry registry(ResourceType requested) {
    ResourceType type = storageType(requested);
    return registries.computeIfAbsent(
        type.group() + "/" + type.plural(),
        k -> {
          var strategy =
              strategies.forResource(
                  type.group(), type.plural(), catalog().modelClass(type).isEmpty());
          WatchCache cache =
              new WatchCache(
                  store,
                  type.keyPrefix(),
                  strategy::selectableFields,
                  type.kind(),
                  type.apiVersion(),
                  cacheOptions);
          try {
            cache.start();
          } catch (StoreException e) {
            throw StorageErrors.translate(e, type, "");
          }
          return new GenericRegistry(store, type, strategy, cache, context);
        });
  }

  private void checkNamespace(String namespace, String group, String resource, String name) {
    WatchCache cache = registry(coreType("namespaces")).cache();
    cache.waitFor(0, options.freshnessWait());
    CachedObject ns = cache.get(coreType("namespaces").key("", namespace));
    if (ns == null) {
      throw ApiException.notFound("", "namespaces", namespace);
    }
    if ("Terminating".equals(Meta.textAt(ns.object(), "status.phase"))) {
      String what = group.isEmpty() ? resource : resource + "." + group;
      throw new ApiException(
          403,
          "Forbidden",
          what
              + " \""
              + name
              + "\" is forbidden: unable to create new content in namespace "
              + namespace
              + " because it is being terminated",
          new ApiException.Details(
              name,
              group,
              resource,
              List.of(
                  new ApiException.Cause(
                      "NamespaceTerminating",
                      "namespace " + namespace + " is being terminated",
                      "metadata.namespace")),
              null));
    }
  }

  private void repairServiceAllocations() {
    List<ObjectNode> services = new ArrayList<>();
    for (CachedObject service :
        registry(coreType("services")).cache().list("", o -> true, null, 0).items()) {
      services.add(service.object());
    }
    GenericRegistry events = registry(coreType("events"));
    new ServiceAllocationRepair(clusterIps)
        .repair(
            services,
            event -> {
              try {
                events.create(
                    Meta.namespace(event), event, new WriteOptions(false, "kube-apiserver", "v1"));
              } catch (ApiException e) {
                // the log line stays; a namespace being deleted refuses the event
              }
            },
            options.clock().instant());
  }

  private static final Duration IN_USE_CACHE_WAIT = Duration.ofSeconds(5);

  private long servicesRevision() {
    return registry(coreType("services")).cache().revision();
  }

  private Set<Integer> nodePortsInUse() {
    Set<Integer> used = new HashSet<>();
    WatchCache cache = registry(coreType("services")).cache();
    // see this server's own writes (a delete just done frees its values)
    cache.waitFor(0, IN_USE_CACHE_WAIT);
    for (CachedObject service : cache.list("", o -> true, null, 0).items()) {
      for (JsonNode port : service.object().path("spec").path("ports")) {
        if (port.path("nodePort").asInt(0) != 0) {
          used.add(port.path("nodePort").asInt());
        }
      }
    }
    return used;
  }

  private Set<String> clusterIpsInUse() {
    Set<String> used = new HashSet<>();
    WatchCache cache = registry(coreType("services")).cache();
    // see this server's own writes (a delete just done frees its values)
    cache.waitFor(0, IN_USE_CACHE_WAIT);
    for (CachedObject service : cache.list("", o -> true, null, 0).items()) {
      String ip = Meta.textAt(service.object(), "spec.clusterIP");
      if (!ip.isEmpty()) {
        used.add(ip);
      }
    }
    return used;
  }

  // ---- verbs

  private ApiResponse get(Call call) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), true);
    ObjectNode object = call.registry().get(call.namespace(), call.name());
    return responses.object(200, object, call.type(), format, call.request());
  }

  WriteOptions writeOptions(Call call) {
    String dryRun = call.request().param("dryRun");
    if (dryRun != null && !dryRun.equals("All")) {
      throw ApiException.badRequest(
          "Invalid dryRun value: " + dryRun + " (supported values: \"All\")");
    }
    String manager = call.request().param("fieldManager");
    if (manager == null || manager.isEmpty()) {
      String agent = call.request().header("user-agent");
      manager = agent == null || agent.isEmpty() ? "unknown" : agent.split("/", 2)[0];
    } else if (manager.length() > 128) {
      throw ApiException.badRequest("fieldManager: Too long: may not be more than 128 bytes");
    }
    return new WriteOptions(
        dryRun != null, manager, call.type().apiVersion(), call.info().subresource());
  }

  /** The decoded body in the storage version, after kind and field validation. */
  ObjectNode decodeBody(Call call, List<String> warnings) {
    StringBuilder duplicates = new StringBuilder();
    ObjectNode body = BodyDecoder.decodeObject(call.request(), call.type(), duplicates);
    String apiVersion = Meta.text(body, "apiVersion");
    String kind = Meta.text(body, "kind");
    if (!kind.isEmpty() && !kind.equals(call.type().kind())) {
      throw ApiException.badRequest(
          "the object provided is unrecognized (must be of type " + call.type().kind() + ")");
    }
    if (!apiVersion.isEmpty() && !apiVersion.equals(call.type().apiVersion())) {
      throw ApiException.badRequest(
          "the API version in the data ("
              + apiVersion
              + ") does not match the expected API version ("
              + call.type().apiVersion()
              + ")");
    }
    List<String> problems = new ArrayList<>();
    if (!duplicates.isEmpty()) {
      problems.add(duplicates.toString());
    }
    Class<?> model = catalog().modelClass(call.type()).orElse(null);
    if (model != null) {
      BodyDecoder.checkTypes(call.type(), model, body);
      UnknownFields.find(model, body).forEach(f -> problems.add("unknown field \"" + f + "\""));
    }
    FieldValidation.check(call.request().param("fieldValidation"), problems, warnings);
    body.put("apiVersion", call.type().apiVersion());
    body.put("kind", call.type().kind());
    return Conversions.convert(body, storageType(call.type()));
  }

  private ApiResponse create(Call call) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    List<String> warnings = new ArrayList<>();
    WriteOptions write = writeOptions(call);
    ObjectNode body = decodeBody(call, warnings);
    WriteResult result = call.registry().create(call.namespace(), body, write);
    return responses.withWarnings(
        responses.object(201, result.object(), call.type(), format, call.request()), warnings);
  }

  ApiResponse update(Call call, UpdateMode mode) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    List<String> warnings = new ArrayList<>();
    WriteOptions write = writeOptions(call);
    ObjectNode body = decodeBody(call, warnings);
    WriteResult result = call.registry().update(call.namespace(), call.name(), body, mode, write);
    return responses.withWarnings(
        responses.object(
            result.created() ? 201 : 200, result.object(), call.type(), format, call.request()),
        warnings);
  }

  ApiResponse patch(Call call, UpdateMode mode) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    WriteOptions write = writeOptions(call);
    String contentType = BodyDecoder.contentType(call.request());
    byte[] body = call.request().body();
    ResourceType requested = call.type();
    ResourceType storage = storageType(requested);
    Class<?> model = catalog().modelClass(requested).orElse(null);
    UnaryOperator<ObjectNode> change =
        current -> {
          ObjectNode patched =
              Patches.apply(contentType, Conversions.convert(current, requested), body, model);
          patched.put("apiVersion", requested.apiVersion());
          patched.put("kind", requested.kind());
          if (model != null) {
            BodyDecoder.checkTypes(requested, model, patched);
          }
          return Conversions.convert(patched, storage);
        };
    WriteResult result = call.registry().patch(call.namespace(), call.name(), change, mode, write);
    return responses.object(200, result.object(), call.type(), format, call.request());
  }

  DeleteOptions deleteOptions(Call call) {
    ApiRequest request = call.request();
    Long grace = longParam(request, "gracePeriodSeconds");
    String policy = request.param("propagationPolicy");
    String uid = null;
    String resourceVersion = null;
    boolean dryRun = request.param("dryRun") != null;
    if (request.body().length > 0) {
      ObjectNode body = BodyDecoder.parse(request.body(), false, call.type(), null);
      if (body.hasNonNull("gracePeriodSeconds")) {
        grace = body.get("gracePeriodSeconds").asLong();
      }
      if (body.hasNonNull("propagationPolicy")) {
        policy = body.get("propagationPolicy").asString();
      }
      if (body.hasNonNull("orphanDependents") && policy == null) {
        policy = body.get("orphanDependents").asBoolean() ? "Orphan" : "Background";
      }
      JsonNode preconditions = body.path("preconditions");
      if (preconditions.hasNonNull("uid")) {
        uid = preconditions.get("uid").asString();
      }
      if (preconditions.hasNonNull("resourceVersion")) {
        resourceVersion = preconditions.get("resourceVersion").asString();
      }
      if (body.path("dryRun").isArray() && !body.path("dryRun").isEmpty()) {
        dryRun = true;
      }
    }
    if (policy != null && !List.of("Orphan", "Background", "Foreground").contains(policy)) {
      throw ApiException.invalid(
          "",
          "DeleteOptions",
          "",
          List.of(
              new ApiException.Cause(
                  "FieldValueNotSupported",
                  "Unsupported value: \""
                      + policy
                      + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                  "propagationPolicy")));
    }
    return new DeleteOptions(grace, uid, resourceVersion, policy, dryRun);
  }

  private static Long longParam(ApiRequest request, String name) {
    String value = request.param(name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid " + name + ": " + value);
    }
  }

  private ApiResponse delete(Call call) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    WriteResult result = call.registry().delete(call.namespace(), call.name(), deleteOptions(call));
    if (result.deleted() && !call.registry().deletion().returnsDeletedObject()) {
      return responses.success(call.type(), result.object(), format);
    }
    return responses.object(200, result.object(), call.type(), format, call.request());
  }

  private ApiResponse deleteCollection(Call call) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    DeleteOptions delete = deleteOptions(call);
    Predicate<CachedObject> filter = filter(call);
    WatchCache cache = call.registry().cache();
    cache.waitFor(0, options.freshnessWait());
    CachePage page = cache.list(prefix(call), filter, null, 0);
    List<ObjectNode> items = new ArrayList<>();
    for (CachedObject object : page.items()) {
      String name = Meta.name(object.object());
      String namespace = Meta.namespace(object.object());
      try {
        items.add(call.registry().delete(namespace, name, delete).object());
      } catch (ApiException e) {
        if (e.code() != 404) {
          throw e;
        }
      }
    }
    return responses.list(items, call.type(), cache.revision(), null, 0, format);
  }

  // ---- list and watch

  /** The key prefix a list or watch covers: one namespace, or all of them. */
  private static String prefix(Call call) {
    return call.namespace().isEmpty()
        ? call.type().keyPrefix()
        : call.type().keyPrefix(call.namespace());
  }

  /** The label and field selectors of a list or watch; 400 with Kubernetes' parse messages. */
  Predicate<CachedObject> filter(Call call) {
    LabelSelector labels;
    FieldSelector fields;
    String fieldParam = call.request().param("fieldSelector");
    if (!call.name().isEmpty()) {
      fieldParam = join(fieldParam, "metadata.name=" + call.name());
    }
    try {
      labels = LabelSelector.parse(call.request().param("labelSelector"));
      fields =
          FieldSelector.parse(fieldParam)
              .requireSupported(
                  call.registry().strategy().selectableFields(Json.object()).keySet());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (labels.isEverything() && fields.isEverything()) {
      return o -> true;
    }
    return o -> labels.matches(o.labels()) && fields.matches(o.fields());
  }

  private static String join(String a, String b) {
    return a == null || a.isEmpty() ? b : a + "," + b;
  }

  private ApiResponse list(Call call) {
    ApiRequest request = call.request();
    OutputFormat format = OutputFormat.negotiate(request.header("accept"), true);
    Predicate<CachedObject> filter = filter(call);
    Long limitParam = longParam(request, "limit");
    int limit =
        limitParam == null || limitParam < 0 ? 0 : (int) Math.min(limitParam, Integer.MAX_VALUE);
    String prefix = prefix(call);
    WatchCache cache = call.registry().cache();
    String continueParam = request.param("continue");
    String rv = request.param("resourceVersion");
    String match = request.param("resourceVersionMatch");
    if (match != null && !match.isEmpty() && (rv == null || rv.isEmpty())) {
      throw ApiException.invalid(
          "",
          "ListOptions",
          "",
          List.of(
              new ApiException.Cause(
                  "FieldValueForbidden",
                  "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
                  "resourceVersionMatch")));
    }
    CachePage page;
    if (continueParam != null && !continueParam.isEmpty()) {
      ContinueToken token = ContinueToken.decode(continueParam, prefix);
      page = listAt(call, prefix, token.revision(), token.afterKey(), limit, filter, true);
    } else if ("Exact".equals(match)) {
      long exact = parseVersion(rv);
      page = listAt(call, prefix, exact, null, limit, filter, false);
    } else {
      long minimum = rv == null || rv.isEmpty() ? 0 : parseVersion(rv);
      // "" must be consistent, N not older than N; "0" (any) may be fresher than required, so
      // every list first sees this server's own writes
      cache.waitFor(0, options.freshnessWait());
      if (minimum > 0) {
        if (minimum > cache.revision() && minimum > store.currentRevision()) {
          throw new ApiException(
              504,
              "Timeout",
              "Too large resource version: " + minimum + ", current: " + cache.revision(),
              new ApiException.Details(null, null, null, null, 1));
        }
      }
      page = cache.list(prefix, filter, null, limit);
    }
    String next =
        page.lastKey() == null
            ? null
            : new ContinueToken(page.revision(), page.lastKey()).encode(prefix);
    if (format.table()) {
      return responses.table(
          page.items(), call.type(), page.revision(), next, page.remaining(), format, request);
    }
    return responses.cachedList(page, call.type(), next, format);
  }

  /** A list at a past revision: from the cache when it is at that revision, else from the store. */
  private CachePage listAt(
      Call call,
      String prefix,
      long revision,
      String afterKey,
      int limit,
      Predicate<CachedObject> filter,
      boolean continuing) {
    WatchCache cache = call.registry().cache();
    if (cache.revision() == revision) {
      CachePage page = cache.list(prefix, filter, afterKey, limit);
      if (page.revision() == revision) {
        return page;
      }
    }
    List<CachedObject> items = new ArrayList<>();
    String after = afterKey;
    long remaining = 0;
    String lastKey = null;
    try {
      while (true) {
        RangeResult range = store.range(prefix, revision, after, 500);
        for (KeyValue kv : range.items()) {
          CachedObject object = cache.fromStore(kv);
          if (!filter.test(object)) {
            continue;
          }
          if (limit > 0 && items.size() >= limit) {
            remaining++;
          } else {
            items.add(object);
          }
        }
        if (!range.more() || range.items().isEmpty()) {
          break;
        }
        after = range.items().get(range.items().size() - 1).key();
      }
    } catch (dev.skiff.storage.Compacted e) {
      if (continuing) {
        throw ApiException.gone(
            "The provided continue parameter is too old to display a consistent list result. You"
                + " can start a new list without the continue parameter, or use the continue token"
                + " in this response to retrieve the remainder of the results. Continuing with the"
                + " provided token results in an inconsistent list - objects that were created,"
                + " modified, or deleted between the time the first chunk was returned and now may"
                + " show up in the list.");
      }
      throw ApiException.gone(StorageErrors.tooOld(revision, e.compactedRevision()));
    } catch (StoreException e) {
      throw StorageErrors.translate(e, call.type(), "");
    }
    if (remaining > 0) {
      lastKey = items.get(items.size() - 1).key();
    }
    return new CachePage(items, revision, lastKey, remaining);
  }

  static long parseVersion(String rv) {
    try {
      long value = Long.parseLong(rv);
      if (value < 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid resource version: " + rv);
    }
  }

  private ApiResponse watch(Call call) {
    ApiRequest request = call.request();
    OutputFormat format = OutputFormat.negotiate(request.header("accept"), true);
    if (format.yaml()) {
      format = OutputFormat.JSON;
    }
    Predicate<CachedObject> filter = filter(call);
    String rv = request.param("resourceVersion");
    boolean sendInitial = "true".equals(request.param("sendInitialEvents"));
    boolean bookmarks = "true".equals(request.param("allowWatchBookmarks"));
    if (sendInitial && !"NotOlderThan".equals(request.param("resourceVersionMatch"))) {
      throw ApiException.invalid(
          "",
          "ListOptions",
          "",
          List.of(
              new ApiException.Cause(
                  "FieldValueForbidden",
                  "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                  "resourceVersionMatch")));
    }
    Long from = rv == null || rv.isEmpty() ? null : parseVersion(rv);
    Long timeoutSeconds = longParam(request, "timeoutSeconds");
    Duration timeout =
        timeoutSeconds != null && timeoutSeconds > 0
            ? Duration.ofSeconds(timeoutSeconds)
            : options
                .minWatchTimeout()
                .plusMillis(
                    (long) (options.random().nextDouble() * options.minWatchTimeout().toMillis()));
    WatchCache cache = call.registry().cache();
    cache.waitFor(0, options.freshnessWait());
    WatchRequest watch =
        new WatchRequest(
            call.type().namespaced() ? call.namespace() : "",
            filter,
            from,
            sendInitial,
            bookmarks || sendInitial,
            timeout,
            responses.eventEncoder(call.type(), format, request));
    String contentType =
        format.table()
            ? "application/json;as=Table;v=" + format.tableVersion() + ";g=meta.k8s.io"
            : "application/json";
    return new ApiResponse.Stream(
        200,
        contentType,
        Map.of(),
        sink -> {
          try {
            cache.watch(sink, watch);
          } catch (TooOldResourceVersion e) {
            sink.send(responses.errorEvent(ApiException.gone(e.getMessage())));
            sink.close();
          }
        });
  }

  ResourceCatalog catalog() {
    return catalog.get();
  }

  Responses responses() {
    return responses;
  }
}
