package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.api.ResourceType;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.registry.GenericRegistry;
import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.UpdateMode;
import dev.skiff.apiserver.registry.WriteOptions;
import dev.skiff.apiserver.registry.WriteResult;
import dev.skiff.apiserver.rest.ResourceHandler.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The subresources: status, scale, namespaces/finalize, pods/binding, pods/eviction, and clear
 * answers for the ones served by kubelets (log, exec, attach, portforward, proxy) and by the
 * security layer (serviceaccounts/token).
 */
final class Subresources {
  private static final Set<String> KUBELET =
      Set.of("log", "exec", "attach", "portforward", "proxy");
  private static final Set<String> SCALABLE =
      Set.of(
          "apps/deployments", "apps/replicasets", "apps/statefulsets", "/replicationcontrollers");

  private final ResourceHandler handler;

  Subresources(ResourceHandler handler) {
    this.handler = handler;
  }

  ApiResponse handle(Call call) {
    String sub = call.info().subresource();
    ResourceType type = call.type();
    String verb = call.info().verb();
    String resource = type.group() + "/" + type.plural();
    if (sub.equals("status") && type.hasSubresource("status")) {
      return switch (verb) {
        case "get" -> get(call);
        case "update" -> handler.update(call, UpdateMode.STATUS);
        case "patch" -> handler.patch(call, UpdateMode.STATUS);
        default -> throw notAllowed();
      };
    }
    if (sub.equals("scale") && SCALABLE.contains(resource)) {
      return scale(call);
    }
    if (sub.equals("finalize") && resource.equals("/namespaces") && verb.equals("update")) {
      return finalize(call);
    }
    if (resource.equals("/pods") && sub.equals("binding") && verb.equals("create")) {
      return bind(call);
    }
    if (resource.equals("/pods") && sub.equals("eviction") && verb.equals("create")) {
      return evict(call);
    }
    if (resource.equals("/serviceaccounts") && sub.equals("token")) {
      throw ApiException.methodNotAllowed(
          "serviceaccounts/token is not supported yet by this server");
    }
    if (KUBELET.contains(sub) && Set.of("/pods", "/nodes", "/services").contains(resource)) {
      return kubelet(call);
    }
    throw ResourceHandler.notFound();
  }

  private static ApiException notAllowed() {
    return ApiException.methodNotAllowed(
        "the server does not allow this method on the requested resource");
  }

  private ApiResponse get(Call call) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    ObjectNode object = call.registry().get(call.namespace(), call.name());
    return handler.responses().object(200, object, call.type(), format, call.request());
  }

  // ---- scale

  private static ObjectNode toScale(ObjectNode object) {
    ObjectNode scale = Json.object();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode metadata = scale.putObject("metadata");
    JsonNode source = object.path("metadata");
    for (String field :
        List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
      if (source.has(field)) {
        metadata.set(field, source.get(field));
      }
    }
    scale.putObject("spec").put("replicas", object.path("spec").path("replicas").asLong(0));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", object.path("status").path("replicas").asLong(0));
    String selector = selectorString(object.path("spec").path("selector"));
    if (!selector.isEmpty()) {
      status.put("selector", selector);
    }
    return scale;
  }

  /** A LabelSelector (or a replication controller's map) in label-selector query syntax. */
  static String selectorString(JsonNode selector) {
    List<String> terms = new ArrayList<>();
    JsonNode labels =
        selector.has("matchLabels") || selector.has("matchExpressions")
            ? selector.path("matchLabels")
            : selector;
    for (Map.Entry<String, JsonNode> e : labels.properties()) {
      terms.add(e.getKey() + "=" + e.getValue().asString(""));
    }
    for (JsonNode expression : selector.path("matchExpressions")) {
      String key = Meta.text(expression, "key");
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asString("")));
      switch (Meta.text(expression, "operator")) {
        case "In" -> terms.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> terms.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> terms.add(key);
        case "DoesNotExist" -> terms.add("!" + key);
        default -> {}
      }
    }
    terms.sort(null);
    return String.join(",", terms);
  }

  private ApiResponse scale(Call call) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    GenericRegistry registry = call.registry();
    ObjectNode result;
    switch (call.info().verb()) {
      case "get" -> result = toScale(registry.get(call.namespace(), call.name()));
      case "update", "patch" -> {
        WriteOptions write = handler.writeOptions(call);
        boolean put = call.info().verb().equals("update");
        ObjectNode body = put ? BodyDecoder.decodeObject(call.request(), scaleType(), null) : null;
        String contentType = BodyDecoder.contentType(call.request());
        WriteResult written =
            registry.patch(
                call.namespace(),
                call.name(),
                current -> {
                  ObjectNode scale =
                      put
                          ? body
                          : Patches.apply(
                              contentType,
                              toScale(current),
                              call.request().body(),
                              io.fabric8.kubernetes.api.model.autoscaling.v1.Scale.class);
                  JsonNode replicas = scale.path("spec").path("replicas");
                  if (!replicas.isIntegralNumber() || replicas.asLong() < 0) {
                    throw ApiException.invalid(
                        "autoscaling",
                        "Scale",
                        call.name(),
                        List.of(
                            new ApiException.Cause(
                                "FieldValueInvalid",
                                "Invalid value: "
                                    + replicas
                                    + ": must be greater than or equal to 0",
                                "spec.replicas")));
                  }
                  Meta.child(current, "spec").put("replicas", replicas.asLong());
                  String rv = Meta.resourceVersion(scale);
                  Meta.metadata(current)
                      .put("resourceVersion", put ? rv : Meta.resourceVersion(current));
                  return current;
                },
                UpdateMode.SUBRESOURCE,
                write);
        result = toScale(written.object());
      }
      default -> throw notAllowed();
    }
    return new ApiResponse.Full(200, format.mediaType(), Responses.encode(result, format));
  }

  private ResourceType scaleType() {
    return new ResourceType(
        "autoscaling",
        "v1",
        "Scale",
        "scale",
        "scale",
        true,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        "v1");
  }

  // ---- namespaces/finalize

  private ApiResponse finalize(Call call) {
    OutputFormat format = OutputFormat.negotiate(call.request().header("accept"), false);
    ObjectNode body = BodyDecoder.decodeObject(call.request(), call.type(), null);
    WriteResult result =
        call.registry()
            .patch(
                "",
                call.name(),
                current -> {
                  ObjectNode spec = Meta.child(current, "spec");
                  JsonNode finalizers = body.path("spec").path("finalizers");
                  if (finalizers.isArray() && !finalizers.isEmpty()) {
                    spec.set("finalizers", finalizers);
                  } else {
                    spec.remove("finalizers");
                  }
                  return current;
                },
                UpdateMode.SUBRESOURCE,
                handler.writeOptions(call));
    return handler.responses().object(200, result.object(), call.type(), format, call.request());
  }

  // ---- pods/binding and pods/eviction

  /** POST pods/NAME/binding: binds the pod named by the URL. */
  private ApiResponse bind(Call call) {
    ObjectNode binding = BodyDecoder.decodeObject(call.request(), bindingType(), null);
    return bind(call, call.registry(), call.name(), binding);
  }

  /** POST namespaces/NS/bindings: binds the pod the Binding names. */
  ApiResponse bindingResource(Call call, GenericRegistry pods) {
    ObjectNode binding = BodyDecoder.decodeObject(call.request(), bindingType(), null);
    String name = Meta.name(binding);
    if (name.isEmpty()) {
      throw ApiException.invalid(
          "",
          "Binding",
          "",
          List.of(new ApiException.Cause("FieldValueRequired", "Required value", "metadata.name")));
    }
    return bind(call, pods, name, binding);
  }

  /**
   * Sets spec.nodeName of an unbound pod, once, and copies the Binding's annotations to it, as
   * Kubernetes' binding does.
   */
  private ApiResponse bind(Call call, GenericRegistry pods, String name, ObjectNode binding) {
    String node = Meta.text(binding.path("target"), "name");
    if (node.isEmpty()) {
      throw ApiException.invalid(
          "",
          "Binding",
          name,
          List.of(new ApiException.Cause("FieldValueRequired", "Required value", "target.name")));
    }
    WriteOptions write = handler.writeOptions(call);
    pods.patch(
        call.namespace(),
        name,
        pod -> {
          String bound = Meta.textAt(pod, "spec.nodeName");
          if (!bound.isEmpty()) {
            throw ApiException.conflict(
                "", "pods", name, "pod " + name + " is already assigned to node \"" + bound + "\"");
          }
          if (Meta.deleting(pod)) {
            throw ApiException.conflict(
                "",
                "pods",
                name,
                "pod " + name + " is being deleted, cannot be assigned to a host");
          }
          Meta.child(pod, "spec").put("nodeName", node);
          markScheduled(pod, pods.now());
          for (var e : binding.path("metadata").path("annotations").properties()) {
            Meta.child(Meta.metadata(pod), "annotations").set(e.getKey(), e.getValue());
          }
          return pod;
        },
        UpdateMode.SUBRESOURCE,
        write);
    return created();
  }

  /** Binding sets the PodScheduled condition to True, as Kubernetes' binding REST does. */
  private static void markScheduled(ObjectNode pod, String now) {
    ObjectNode status = Meta.child(pod, "status");
    ArrayNode conditions =
        status.has("conditions") && status.get("conditions").isArray()
            ? (ArrayNode) status.get("conditions")
            : status.putArray("conditions");
    for (int i = 0; i < conditions.size(); i++) {
      if ("PodScheduled".equals(conditions.get(i).path("type").asString())) {
        conditions.remove(i);
        break;
      }
    }
    ObjectNode scheduled = conditions.addObject();
    scheduled.put("type", "PodScheduled");
    scheduled.put("status", "True");
    scheduled.putNull("lastProbeTime");
    scheduled.put("lastTransitionTime", now);
  }

  private static ResourceType bindingType() {
    return new ResourceType(
        "",
        "v1",
        "Binding",
        "bindings",
        "binding",
        true,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        "v1");
  }

  private ApiResponse evict(Call call) {
    ObjectNode eviction = BodyDecoder.parse(call.request().body(), false, bindingType(), null);
    JsonNode options = eviction.path("deleteOptions");
    Long grace =
        options.hasNonNull("gracePeriodSeconds")
            ? options.get("gracePeriodSeconds").asLong()
            : null;
    var delete =
        new dev.skiff.apiserver.registry.DeleteOptions(
            grace,
            options.path("preconditions").hasNonNull("uid")
                ? options.path("preconditions").get("uid").asString()
                : null,
            options.path("preconditions").hasNonNull("resourceVersion")
                ? options.path("preconditions").get("resourceVersion").asString()
                : null,
            options.hasNonNull("propagationPolicy")
                ? options.get("propagationPolicy").asString()
                : null,
            call.request().param("dryRun") != null);
    GenericRegistry budgets =
        handler.registry(
            handler.catalog().find("policy", "v1", "poddisruptionbudgets").orElseThrow());
    WriteOptions write = handler.writeOptions(call);
    new PodEviction(call.registry(), budgets)
        .evict(
            call.namespace(),
            call.name(),
            delete,
            new WriteOptions(write.dryRun(), write.fieldManager(), "policy/v1", "status"));
    return created();
  }

  private static ApiResponse created() {
    ObjectNode status = Json.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    status.put("code", 201);
    return new ApiResponse.Full(201, "application/json", Json.bytes(status));
  }

  // ---- kubelet-served subresources

  private ApiResponse kubelet(Call call) {
    ObjectNode object = call.registry().get(call.namespace(), call.name());
    String node;
    if (call.type().plural().equals("pods")) {
      node = Meta.textAt(object, "spec.nodeName");
      if (node.isEmpty()) {
        throw ApiException.badRequest("pod " + call.name() + " does not have a host assigned");
      }
    } else if (call.type().plural().equals("nodes")) {
      node = call.name();
    } else {
      throw ApiException.serviceUnavailable(
          "no endpoints available for service \"" + call.name() + "\"");
    }
    throw ApiException.serviceUnavailable("no kubelet is connected for node " + node);
  }
}
