package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.rest.RequestInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * RBAC escalation prevention, as Kubernetes' RBAC storage enforces it: a user may create or change
 * a Role or ClusterRole only with permissions it already holds (unless it may {@code escalate} that
 * role), and may create or change a binding only to a role whose permissions it holds (unless it
 * may {@code bind} that role). The object checked is the one the write would store, obtained by a
 * dry run of the same request, so creates, updates and every patch type are covered.
 */
public final class EscalationGuard implements ApiHandler {
  static final String GROUP = "rbac.authorization.k8s.io";
  private static final Set<String> WRITES = Set.of("create", "update", "patch");

  private final ApiHandler delegate;
  private final ClusterAuthorizer authorizer;

  public EscalationGuard(ApiHandler delegate, ClusterAuthorizer authorizer) {
    this.delegate = delegate;
    this.authorizer = authorizer;
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    Optional<RequestInfo> parsed = RequestInfo.parse(request);
    if (parsed.isPresent()
        && parsed.get().group().equals(GROUP)
        && parsed.get().subresource().isEmpty()
        && WRITES.contains(parsed.get().verb())
        && request.user() != null
        && !request.user().groups().contains(ClusterAuthorizer.MASTERS)) {
      RequestInfo info = parsed.get();
      switch (info.resource()) {
        case "roles", "clusterroles" -> checkRole(request, info);
        case "rolebindings", "clusterrolebindings" -> checkBinding(request, info);
        default -> {}
      }
    }
    return delegate.handle(request);
  }

  private void checkRole(ApiRequest request, RequestInfo info) {
    ObjectNode role = dryRun(request);
    String name = role.path("metadata").path("name").asString("");
    Attributes escalate =
        Attributes.resource(
            request.user(), "escalate", GROUP, info.resource(), "", info.namespace(), name);
    if (authorizer.decide(escalate).allowed()) {
      return;
    }
    if (info.resource().equals("clusterroles") && role.has("aggregationRule")) {
      throw Forbidden.error(
          GROUP,
          info.resource(),
          name,
          "must have cluster-admin privileges to use the aggregationRule");
    }
    confirmNoEscalation(
        request.user(), info, name, info.namespace(), PolicyRule.listFromJson(role.path("rules")));
  }

  private void checkBinding(ApiRequest request, RequestInfo info) {
    ObjectNode binding = dryRun(request);
    String name = binding.path("metadata").path("name").asString("");
    JsonNode roleRef = binding.path("roleRef");
    String refKind = roleRef.path("kind").asString("");
    String refResource = refKind.equals("Role") ? "roles" : "clusterroles";
    Attributes bind =
        Attributes.resource(
            request.user(),
            "bind",
            GROUP,
            refResource,
            "",
            info.namespace(),
            roleRef.path("name").asString(""));
    if (authorizer.decide(bind).allowed()) {
      return;
    }
    List<PolicyRule> rules = authorizer.rbac().roleRules(roleRef, info.namespace());
    confirmNoEscalation(request.user(), info, name, info.namespace(), rules);
  }

  private void confirmNoEscalation(
      UserInfo user, RequestInfo info, String name, String namespace, List<PolicyRule> rules) {
    List<PolicyRule> owned = new ArrayList<>(authorizer.rbac().rulesFor(user, namespace));
    List<PolicyRule> missing = RuleCoverage.covers(owned, rules);
    if (missing.isEmpty()) {
      return;
    }
    StringBuilder cause =
        new StringBuilder("user \"")
            .append(user.name())
            .append("\" (groups=")
            .append(quoted(user.groups()))
            .append(") is attempting to grant RBAC permissions not currently held:");
    for (PolicyRule rule : missing) {
      cause.append('\n').append(rule.describe());
    }
    throw Forbidden.error(GROUP, info.resource(), name, cause.toString());
  }

  private static String quoted(List<String> values) {
    List<String> quoted = new ArrayList<>();
    values.forEach(v -> quoted.add("\"" + v + "\""));
    return "[" + String.join(" ", quoted) + "]";
  }

  /** The object the request would store, from a dry run of it. */
  private ObjectNode dryRun(ApiRequest request) {
    Map<String, List<String>> query = new HashMap<>(request.query());
    query.put("dryRun", List.of("All"));
    Map<String, List<String>> headers = new HashMap<>(request.headers());
    headers.put("accept", List.of("application/json"));
    ApiRequest dry =
        new ApiRequest(
            request.method(),
            request.path(),
            query,
            headers,
            request.body(),
            request.user(),
            false);
    ApiResponse response = delegate.handle(dry);
    if (!(response instanceof ApiResponse.Full full)) {
      throw ApiException.internalError("unexpected streamed response to a dry run");
    }
    return Json.parseObject(full.body());
  }
}
