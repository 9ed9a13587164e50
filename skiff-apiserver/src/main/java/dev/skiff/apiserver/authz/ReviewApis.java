package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import dev.skiff.api.protobuf.KubernetesProtobuf;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.rest.RequestInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The review APIs, which are create-only and never stored: SelfSubjectAccessReview,
 * SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectRulesReview
 * (authorization.k8s.io/v1) and SelfSubjectReview (authentication.k8s.io/v1), so {@code kubectl
 * auth can-i [--list]} and {@code kubectl auth whoami} work. Everything else goes to the delegate.
 */
public final class ReviewApis implements ApiHandler {
  static final String AUTHORIZATION = "authorization.k8s.io";
  static final String AUTHENTICATION = "authentication.k8s.io";

  private final ApiHandler delegate;
  private final ClusterAuthorizer authorizer;

  public ReviewApis(ApiHandler delegate, ClusterAuthorizer authorizer) {
    this.delegate = delegate;
    this.authorizer = authorizer;
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    Optional<RequestInfo> parsed = RequestInfo.parse(request);
    if (parsed.isEmpty()) {
      return delegate.handle(request);
    }
    RequestInfo info = parsed.get();
    boolean authorization = info.group().equals(AUTHORIZATION) && info.version().equals("v1");
    boolean authentication = info.group().equals(AUTHENTICATION) && info.version().equals("v1");
    if (!authorization && !authentication) {
      return delegate.handle(request);
    }
    String kind =
        switch (info.resource()) {
          case "selfsubjectaccessreviews" -> authorization ? "SelfSubjectAccessReview" : null;
          case "subjectaccessreviews" -> authorization ? "SubjectAccessReview" : null;
          case "localsubjectaccessreviews" -> authorization ? "LocalSubjectAccessReview" : null;
          case "selfsubjectrulesreviews" -> authorization ? "SelfSubjectRulesReview" : null;
          case "selfsubjectreviews" -> authentication ? "SelfSubjectReview" : null;
          default -> null;
        };
    if (kind == null) {
      return delegate.handle(request);
    }
    if (!info.verb().equals("create") || !info.name().isEmpty()) {
      throw ApiException.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    boolean local = kind.equals("LocalSubjectAccessReview");
    if (local == info.namespace().isEmpty()) {
      throw new ApiException(
          404,
          "NotFound",
          "the server could not find the requested resource",
          new ApiException.Details(null, null, null, null, null));
    }
    ObjectNode review = decode(request, info, kind);
    ObjectNode status =
        switch (kind) {
          case "SelfSubjectAccessReview" -> access(review, request.user(), "");
          case "SubjectAccessReview" -> access(review, subject(review.path("spec")), "");
          case "LocalSubjectAccessReview" ->
              access(review, subject(review.path("spec")), info.namespace());
          case "SelfSubjectRulesReview" -> rules(review, request.user());
          default -> whoami(request.user());
        };
    review.set("status", status);
    return new ApiResponse.Full(201, "application/json", Json.bytes(review));
  }

  private static final KubernetesProtobuf PROTOBUF = KubernetesProtobuf.builtIn();

  private static ObjectNode decode(ApiRequest request, RequestInfo info, String kind) {
    ObjectNode review;
    if (KubernetesProtobuf.hasMagic(request.body())) {
      try {
        review = PROTOBUF.decode(request.body());
      } catch (RuntimeException e) {
        throw ApiException.badRequest("the body of the request was in an unknown format");
      }
    } else {
      try {
        review = Json.parseObject(request.body());
      } catch (JacksonException | IllegalArgumentException e) {
        throw ApiException.badRequest("the body of the request was in an unknown format");
      }
    }
    String apiVersion = info.group() + "/" + info.version();
    String givenKind = review.path("kind").asString("");
    if (!givenKind.isEmpty() && !givenKind.equals(kind)) {
      throw ApiException.badRequest(
          "the object provided is unrecognized (must be of type " + kind + ")");
    }
    review.put("apiVersion", apiVersion);
    review.put("kind", kind);
    ObjectNode metadata =
        review.get("metadata") instanceof ObjectNode m ? m : review.putObject("metadata");
    metadata.putNull("creationTimestamp");
    if (!info.namespace().isEmpty()) {
      String given = metadata.path("namespace").asString("");
      if (!given.isEmpty() && !given.equals(info.namespace())) {
        throw ApiException.badRequest(
            "the namespace of the provided object does not match the namespace sent on the"
                + " request");
      }
      metadata.put("namespace", info.namespace());
    }
    if (!(review.get("spec") instanceof ObjectNode)) {
      review.putObject("spec");
    }
    return review;
  }

  private static UserInfo subject(JsonNode spec) {
    String user = spec.path("user").asString("");
    List<String> groups = strings(spec.path("groups"));
    if (user.isEmpty() && groups.isEmpty()) {
      throw invalid(
          "SubjectAccessReview",
          new ApiException.Cause(
              "FieldValueRequired",
              "at least one of user or group must be specified",
              "spec.user"));
    }
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : spec.path("extra").properties()) {
      extra.put(e.getKey(), strings(e.getValue()));
    }
    return new UserInfo(user, spec.path("uid").asString(""), groups, extra);
  }

  private static ApiException invalid(String kind, ApiException.Cause cause) {
    return ApiException.invalid(AUTHORIZATION, kind, "", List.of(cause));
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    for (JsonNode value : array) {
      values.add(value.asString());
    }
    return values;
  }

  private ObjectNode access(ObjectNode review, UserInfo user, String requiredNamespace) {
    JsonNode spec = review.path("spec");
    JsonNode resource = spec.path("resourceAttributes");
    JsonNode nonResource = spec.path("nonResourceAttributes");
    String kind = review.path("kind").asString();
    if (resource.isObject() == nonResource.isObject()) {
      throw invalid(
          kind,
          new ApiException.Cause(
              "FieldValueInvalid",
              "exactly one of nonResourceAttributes or resourceAttributes must be specified",
              "spec.nonResourceAttributes"));
    }
    Attributes attributes;
    if (resource.isObject()) {
      String namespace = resource.path("namespace").asString("");
      if (!requiredNamespace.isEmpty()) {
        if (namespace.isEmpty()) {
          namespace = requiredNamespace;
        } else if (!namespace.equals(requiredNamespace)) {
          throw invalid(
              kind,
              new ApiException.Cause(
                  "FieldValueInvalid",
                  "spec.resourceAttributes.namespace must match metadata.namespace",
                  "spec.resourceAttributes.namespace"));
        }
      }
      attributes =
          Attributes.resource(
              user,
              resource.path("verb").asString(""),
              resource.path("group").asString(""),
              resource.path("resource").asString(""),
              resource.path("subresource").asString(""),
              namespace,
              resource.path("name").asString(""));
    } else {
      attributes =
          Attributes.nonResource(
              user, nonResource.path("verb").asString(""), nonResource.path("path").asString(""));
    }
    var decision = authorizer.decide(attributes);
    ObjectNode status = Json.object();
    status.put("allowed", decision.allowed());
    if (!decision.reason().isEmpty()) {
      status.put("reason", decision.reason());
    }
    return status;
  }

  private ObjectNode rules(ObjectNode review, UserInfo user) {
    String namespace = review.path("spec").path("namespace").asString("");
    ObjectNode status = Json.object();
    ArrayNode resourceRules = status.putArray("resourceRules");
    ArrayNode nonResourceRules = status.putArray("nonResourceRules");
    List<PolicyRule> rules = new ArrayList<>();
    boolean masters = user.groups().contains(ClusterAuthorizer.MASTERS);
    if (masters) {
      rules.add(PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")));
      rules.add(PolicyRule.nonResource(List.of("*"), List.of("*")));
    }
    rules.addAll(authorizer.rbac().rulesFor(user, namespace));
    for (PolicyRule rule : rules) {
      if (!rule.resources().isEmpty()) {
        ObjectNode json = rule.toJson();
        json.remove("nonResourceURLs");
        resourceRules.add(json);
      }
      if (!rule.nonResourceURLs().isEmpty()) {
        ObjectNode json = Json.object();
        json.set("verbs", rule.toJson().get("verbs"));
        json.set("nonResourceURLs", rule.toJson().get("nonResourceURLs"));
        nonResourceRules.add(json);
      }
    }
    boolean node = NodeAuthorizer.nodeName(Attributes.nonResource(user, "get", "/")) != null;
    status.put("incomplete", node);
    if (node) {
      status.put("evaluationError", "node authorizer does not support user rule resolution");
    }
    return status;
  }

  private static ObjectNode whoami(UserInfo user) {
    ObjectNode status = Json.object();
    ObjectNode info = status.putObject("userInfo");
    info.put("username", user.name());
    if (!user.uid().isEmpty()) {
      info.put("uid", user.uid());
    }
    ArrayNode groups = info.putArray("groups");
    user.groups().forEach(groups::add);
    if (!user.extra().isEmpty()) {
      ObjectNode extra = info.putObject("extra");
      user.extra()
          .forEach(
              (key, values) -> {
                ArrayNode array = extra.putArray(key);
                values.forEach(array::add);
              });
    }
    return status;
  }
}
