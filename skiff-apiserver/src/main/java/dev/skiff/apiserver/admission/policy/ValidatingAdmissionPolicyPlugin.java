package dev.skiff.apiserver.admission.policy;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.api.catalog.ResourceCatalog;
import dev.skiff.apiserver.admission.Admission;
import dev.skiff.apiserver.admission.AdmissionPlugin;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.authz.StoreMirror;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.storage.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ValidatingAdmissionPolicy admission plugin: policies and bindings
 * (admissionregistration.k8s.io/v1) are read from the store and kept current by watch; each write
 * that a policy's matchConstraints and a binding's matchResources select is validated with the
 * policy's CEL expressions, once per param object the binding's paramRef selects. A failed
 * validation acts as the binding's validationActions say: Deny refuses the request with Kubernetes'
 * message ({@code ValidatingAdmissionPolicy 'P' with binding 'B' denied request: M}) and the code
 * of the validation's reason (422 Invalid by default), Warn adds a Warning header, Audit writes a
 * log line (the server has no audit log to annotate), as do auditAnnotations with a value.
 * Expressions that do not compile are recorded in the policy's status.typeChecking.
 */
public final class ValidatingAdmissionPolicyPlugin implements AdmissionPlugin, AutoCloseable {
  public static final String NAME = "ValidatingAdmissionPolicy";
  private static final Logger log = LoggerFactory.getLogger(ValidatingAdmissionPolicyPlugin.class);
  private static final String GROUP = "admissionregistration.k8s.io";
  private static final String POLICIES_PATH = "/apis/" + GROUP + "/v1/validatingadmissionpolicies";

  private final Loopback api;
  private final ResourceCatalog catalog = ResourceCatalog.builtIn();
  private final StoreMirror<CompiledPolicy> policies;
  private final StoreMirror<PolicyBinding> bindings;
  private final Map<String, List<String>> versions = new ConcurrentHashMap<>();
  private final ExecutorService statusWriter =
      Executors.newSingleThreadExecutor(Thread.ofVirtual().name("vap-status").factory());
  private final AtomicBoolean statusPending = new AtomicBoolean();

  private ValidatingAdmissionPolicyPlugin(Store store, Loopback api) {
    this.api = api;
    ResourceType policyType =
        catalog.find(GROUP, "v1", "validatingadmissionpolicies").orElseThrow();
    ResourceType bindingType =
        catalog.find(GROUP, "v1", "validatingadmissionpolicybindings").orElseThrow();
    this.policies =
        new StoreMirror<>(
            store, policyType.keyPrefix(), CompiledPolicy::of, this::scheduleStatusUpdate);
    this.bindings = new StoreMirror<>(store, bindingType.keyPrefix(), PolicyBinding::of, () -> {});
  }

  /** Lists policies and bindings, then follows them by watch. */
  public static ValidatingAdmissionPolicyPlugin start(Store store, Loopback api) {
    ValidatingAdmissionPolicyPlugin plugin = new ValidatingAdmissionPolicyPlugin(store, api);
    plugin.bindings.start();
    plugin.policies.start();
    return plugin;
  }

  /**
   * Waits until the plugin applies every policy and binding stored now (it follows the store by
   * watch, so one just written takes a moment to apply); true when it does in time.
   */
  public boolean awaitCurrent(Duration timeout) {
    return policies.awaitInSync(timeout) && bindings.awaitInSync(timeout);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void validate(AdmissionRequest request) {
    if (policies.objects().isEmpty()) {
      return;
    }
    Evaluation evaluation = new Evaluation(request);
    List<Denial> denials = new ArrayList<>();
    Map<String, List<String>> annotations = new java.util.LinkedHashMap<>();
    for (CompiledPolicy policy : policies.objects()) {
      MatchResources constraints = policy.constraints();
      if (constraints == null
          || !constraints.matches(request, evaluation::namespaceLabels, versions(request))) {
        continue;
      }
      ParamResource paramResource = null;
      if (policy.paramKind() != null) {
        paramResource = ParamResource.resolve(policy.paramKind(), catalog, api).orElse(null);
        if (paramResource == null) {
          configurationError(
              denials,
              policy,
              null,
              "failed to find resource referenced by paramKind: '"
                  + policy.paramKind().apiVersion()
                  + ", Kind="
                  + policy.paramKind().kind()
                  + "'");
          continue;
        }
      }
      for (PolicyBinding binding : bindings.objects()) {
        if (!binding.policyName().equals(policy.name())) {
          continue;
        }
        if (binding.configurationError() != null) {
          configurationError(denials, policy, binding, binding.configurationError());
          continue;
        }
        if (binding.matchResources() != null
            && !binding
                .matchResources()
                .matches(request, evaluation::namespaceLabels, versions(request))) {
          continue;
        }
        List<Object> params;
        try {
          params = params(policy, binding, paramResource, request.namespace());
        } catch (IllegalStateException e) {
          configurationError(denials, policy, binding, e.getMessage());
          continue;
        }
        for (Object param : params) {
          CompiledPolicy.Result result = policy.evaluate(evaluation.input(param));
          List<PolicyDecision> decisions = result.decisions();
          for (int i = 0; i < decisions.size(); i++) {
            if (decisions.get(i).deny()) {
              act(denials, policy, binding, i, decisions.get(i));
            }
          }
          for (PolicyDecision error : result.annotationErrors()) {
            denials.add(new Denial(policy.name(), binding.name(), error));
          }
          for (CompiledPolicy.AuditAnnotation annotation : result.annotations()) {
            annotations
                .computeIfAbsent(policy.name() + "/" + annotation.key(), k -> new ArrayList<>())
                .add(annotation.value());
          }
        }
      }
    }
    annotations.forEach(
        (key, values) ->
            log.info(
                "event=validating_admission_policy_audit_annotation key={} value=\"{}\"",
                key,
                String.join(", ", values.stream().distinct().toList())));
    if (!denials.isEmpty()) {
      throw denials.get(0).error(request);
    }
  }

  private static void act(
      List<Denial> denials,
      CompiledPolicy policy,
      PolicyBinding binding,
      int index,
      PolicyDecision decision) {
    for (String action : binding.validationActions()) {
      switch (action) {
        case "Deny" -> denials.add(new Denial(policy.name(), binding.name(), decision));
        case "Warn" ->
            Admission.warn(
                "Validation failed for ValidatingAdmissionPolicy '"
                    + policy.name()
                    + "' with binding '"
                    + binding.name()
                    + "': "
                    + decision.message());
        case "Audit" ->
            log.info(
                "event=validating_admission_policy_audit policy={} binding={} expressionIndex={}"
                    + " message=\"{}\"",
                policy.name(),
                binding.name(),
                index,
                decision.message());
        default -> {}
      }
    }
  }

  /** A policy or binding that cannot be applied: denies under failurePolicy Fail. */
  private static void configurationError(
      List<Denial> denials, CompiledPolicy policy, PolicyBinding binding, String error) {
    if (policy.ignoreFailures()) {
      return;
    }
    String message =
        (binding == null ? "failed to configure policy: " : "failed to configure binding: ")
            + error;
    denials.add(
        new Denial(policy.name(), binding == null ? null : binding.name(), policy.error(message)));
  }

  /** The param objects of one binding; an IllegalStateException for a configuration error. */
  private List<Object> params(
      CompiledPolicy policy, PolicyBinding binding, ParamResource resource, String namespace) {
    PolicyBinding.ParamRef ref = binding.paramRef();
    if (resource == null || ref == null) {
      return java.util.Collections.singletonList(null);
    }
    String paramsNamespace = "";
    if (resource.namespaced()) {
      paramsNamespace = !ref.namespace().isEmpty() ? ref.namespace() : nullToEmpty(namespace);
      if (paramsNamespace.isEmpty()) {
        throw new IllegalStateException(
            "cannot use namespaced paramRef in policy binding that matches cluster-scoped"
                + " resources");
      }
    } else if (!ref.namespace().isEmpty()) {
      throw new IllegalStateException(
          "paramRef.namespace must not be provided for a cluster-scoped `paramKind`");
    }
    List<ObjectNode> found = new ArrayList<>();
    if (!ref.name().isEmpty()) {
      if (ref.selector() != null) {
        throw new IllegalStateException(
            "paramRef.name and paramRef.selector are mutually exclusive");
      }
      api.get(resource.path(paramsNamespace) + "/" + ref.name()).ifPresent(found::add);
    } else if (ref.selector() != null) {
      api.get(resource.path(paramsNamespace))
          .ifPresent(
              list -> {
                for (JsonNode item : list.path("items")) {
                  if (item instanceof ObjectNode object
                      && ref.selector().matches(MatchResources.labels(object))) {
                    found.add(object);
                  }
                }
              });
    } else {
      throw new IllegalStateException("one of name or selector must be provided");
    }
    if (found.isEmpty() && ref.denyWhenNotFound()) {
      throw new IllegalStateException(
          "no params found for policy binding with `Deny` parameterNotFoundAction");
    }
    List<Object> params = new ArrayList<>();
    for (ObjectNode object : found) {
      object.put("apiVersion", policy.paramKind().apiVersion());
      object.put("kind", policy.paramKind().kind());
      params.add(CelValues.of(object));
    }
    return params;
  }

  /** The served versions of the request's group and resource (for matchPolicy Equivalent). */
  private List<String> versions(AdmissionRequest request) {
    return versions.computeIfAbsent(
        request.group() + "/" + request.resource(),
        key ->
            catalog.all().stream()
                .filter(t -> t.group().equals(request.group()))
                .filter(t -> t.plural().equals(request.resource()))
                .map(ResourceType::version)
                .distinct()
                .toList());
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }

  // ---- status.typeChecking

  private void scheduleStatusUpdate() {
    if (statusPending.compareAndSet(false, true)) {
      try {
        statusWriter.execute(this::updateStatuses);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        statusPending.set(false);
      }
    }
  }

  /**
   * Records compile errors in each changed policy's status.typeChecking.expressionWarnings, with
   * status.observedGeneration, through the status subresource (as kube-controller-manager's
   * type-checking controller does).
   */
  private void updateStatuses() {
    statusPending.set(false);
    for (CompiledPolicy policy : policies.objects()) {
      ObjectNode wanted = Json.object();
      wanted.put("observedGeneration", policy.generation());
      ObjectNode typeChecking = wanted.putObject("typeChecking");
      if (!policy.expressionWarnings().isEmpty()) {
        ArrayNode warnings = typeChecking.putArray("expressionWarnings");
        for (CompiledPolicy.ExpressionWarning warning : policy.expressionWarnings()) {
          warnings
              .addObject()
              .put("fieldRef", warning.fieldRef())
              .put("warning", warning.warning());
        }
      }
      JsonNode current = policy.status();
      if (current.path("observedGeneration").asLong(-1) == policy.generation()
          && current.path("typeChecking").equals(typeChecking)) {
        continue;
      }
      String path = POLICIES_PATH + "/" + policy.name();
      try {
        Optional<ObjectNode> stored = api.get(path);
        if (stored.isEmpty()) {
          continue;
        }
        ObjectNode object = stored.get();
        ObjectNode status = object.putObject("status");
        JsonNode conditions = current.path("conditions");
        if (conditions.isArray()) {
          status.set("conditions", conditions);
        }
        status.setAll(wanted);
        api.update(path + "/status", object);
      } catch (ApiException e) {
        // a newer version of the policy is on its way; its watch event schedules another pass
        log.info(
            "event=validating_admission_policy_status_skipped policy={} code={} reason={}",
            policy.name(),
            e.code(),
            e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    policies.close();
    bindings.close();
    statusWriter.shutdownNow();
  }

  // ---- one request

  /** What one request's evaluations share, converted at most once. */
  private final class Evaluation {
    private final AdmissionRequest request;
    private Map<String, String> namespaceLabels;
    private Optional<ObjectNode> namespace;
    private Object object;
    private Object oldObject;
    private Object requestValue;
    private Object namespaceObject;

    Evaluation(AdmissionRequest request) {
      this.request = request;
    }

    private Optional<ObjectNode> namespace() {
      if (namespace == null) {
        namespace =
            request.type().namespaced()
                    && request.namespace() != null
                    && !request.namespace().isEmpty()
                ? api.get("/api/v1/namespaces/" + request.namespace())
                : Optional.empty();
      }
      return namespace;
    }

    Map<String, String> namespaceLabels() {
      if (namespaceLabels == null) {
        namespaceLabels = MatchResources.labels(namespace().orElse(null));
      }
      return namespaceLabels;
    }

    CompiledPolicy.Input input(Object params) {
      if (requestValue == null) {
        object = CelValues.of(request.object());
        oldObject = CelValues.of(request.old());
        requestValue = CelValues.of(requestObject(request));
        namespaceObject = CelValues.of(namespace().map(Evaluation::namespaceObject).orElse(null));
      }
      return new CompiledPolicy.Input(object, oldObject, requestValue, params, namespaceObject);
    }

    /** The namespace as policies see it: metadata without managedFields and owners. */
    private static ObjectNode namespaceObject(ObjectNode namespace) {
      ObjectNode copy = namespace.deepCopy();
      copy.remove("apiVersion");
      copy.remove("kind");
      if (copy.get("metadata") instanceof ObjectNode metadata) {
        metadata.remove("managedFields");
        metadata.remove("ownerReferences");
      }
      return copy;
    }
  }

  /** The {@code request} variable: the fields of an admission.k8s.io/v1 AdmissionRequest. */
  static ObjectNode requestObject(AdmissionRequest request) {
    ObjectNode out = Json.object();
    out.put("uid", "");
    ResourceType type = request.type();
    ObjectNode kind =
        Json.object()
            .put("group", type.group())
            .put("version", type.version())
            .put("kind", type.kind());
    ObjectNode resource =
        Json.object()
            .put("group", type.group())
            .put("version", type.version())
            .put("resource", type.plural());
    out.set("kind", kind);
    out.set("resource", resource);
    if (!request.subresource().isEmpty()) {
      out.put("subResource", request.subresource());
    }
    out.set("requestKind", kind.deepCopy());
    out.set("requestResource", resource.deepCopy());
    if (!request.subresource().isEmpty()) {
      out.put("requestSubResource", request.subresource());
    }
    if (request.name() != null && !request.name().isEmpty()) {
      out.put("name", request.name());
    }
    if (request.namespace() != null && !request.namespace().isEmpty()) {
      out.put("namespace", request.namespace());
    }
    out.put("operation", request.operation().name());
    ObjectNode userInfo = out.putObject("userInfo");
    UserInfo user = request.user();
    if (user != null) {
      if (!user.name().isEmpty()) {
        userInfo.put("username", user.name());
      }
      if (user.uid() != null && !user.uid().isEmpty()) {
        userInfo.put("uid", user.uid());
      }
      if (!user.groups().isEmpty()) {
        ArrayNode groups = userInfo.putArray("groups");
        user.groups().forEach(groups::add);
      }
      if (!user.extra().isEmpty()) {
        ObjectNode extra = userInfo.putObject("extra");
        user.extra().forEach((key, values) -> values.forEach(extra.withArray(key)::add));
      }
    }
    out.put("dryRun", request.dryRun());
    return out;
  }

  /** A denial to report, with the policy and binding it came from (binding null for a policy). */
  private record Denial(String policy, String binding, PolicyDecision decision) {
    ApiException error(AdmissionRequest request) {
      String message =
          binding == null
              ? "ValidatingAdmissionPolicy '" + policy + "' denied request: " + decision.message()
              : "ValidatingAdmissionPolicy '"
                  + policy
                  + "' with binding '"
                  + binding
                  + "' denied request: "
                  + decision.message();
      String reason = decision.reason() == null ? "Invalid" : decision.reason();
      String name = request.name();
      if (name == null || name.isEmpty()) {
        JsonNode object = request.object() == null ? request.old() : request.object();
        JsonNode metadata = object == null ? null : object.path("metadata");
        name = metadata == null ? "" : metadata.path("name").asString("");
        if (name.isEmpty() && metadata != null) {
          name = metadata.path("generateName").asString("");
        }
        if (name.isEmpty()) {
          name = "Unknown";
        }
      }
      String qualified =
          request.group().isEmpty()
              ? request.resource()
              : request.resource() + "." + request.group();
      return new ApiException(
          code(reason),
          reason,
          qualified + " \"" + name + "\" is forbidden: " + message,
          new ApiException.Details(
              name,
              request.group(),
              request.resource(),
              List.of(new ApiException.Cause(null, message, null)),
              null));
    }

    private static int code(String reason) {
      return switch (reason) {
        case "Forbidden" -> 403;
        case "Unauthorized" -> 401;
        case "RequestEntityTooLarge" -> 413;
        default -> 422;
      };
    }
  }

  /** Where the objects of a paramKind are served. */
  record ParamResource(String group, String version, String plural, boolean namespaced) {
    String path(String namespace) {
      String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
      return namespaced ? base + "/namespaces/" + namespace + "/" + plural : base + "/" + plural;
    }

    /** A built-in kind, else a custom resource's kind (from its CustomResourceDefinition). */
    static Optional<ParamResource> resolve(
        CompiledPolicy.ParamKind kind, ResourceCatalog catalog, Loopback api) {
      String apiVersion = kind.apiVersion();
      int slash = apiVersion.indexOf('/');
      String group = slash < 0 ? "" : apiVersion.substring(0, slash);
      String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
      Optional<ResourceType> builtIn = catalog.findByKind(group, version, kind.kind());
      if (builtIn.isPresent()) {
        ResourceType type = builtIn.get();
        return Optional.of(new ParamResource(group, version, type.plural(), type.namespaced()));
      }
      if (group.isEmpty()) {
        return Optional.empty();
      }
      Optional<ObjectNode> crds =
          api.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
      if (crds.isEmpty()) {
        return Optional.empty();
      }
      for (JsonNode crd : crds.get().path("items")) {
        JsonNode spec = crd.path("spec");
        if (!spec.path("group").asString("").equals(group)
            || !spec.path("names").path("kind").asString("").equals(kind.kind())) {
          continue;
        }
        for (JsonNode served : spec.path("versions")) {
          if (served.path("name").asString("").equals(version)
              && served.path("served").asBoolean(false)) {
            return Optional.of(
                new ParamResource(
                    group,
                    version,
                    spec.path("names").path("plural").asString(""),
                    "Namespaced".equals(spec.path("scope").asString(""))));
          }
        }
      }
      return Optional.empty();
    }
  }
}
