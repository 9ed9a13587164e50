package dev.skiff.apiserver.auth;

import dev.skiff.api.Json;
import dev.skiff.api.protobuf.KubernetesProtobuf;
import dev.skiff.apiserver.authz.Attributes;
import dev.skiff.apiserver.authz.ClusterAuthorizer;
import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.rest.RequestInfo;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code certificatesigningrequests/NAME/approval} subresource ({@code kubectl certificate
 * approve|deny}): only {@code status.conditions} change, Approved and Denied exclude each other,
 * and the caller needs the {@code approve} verb on the request's signer ({@code
 * certificates.k8s.io/signers}, by name or {@code <domain>/*}) as Kubernetes requires.
 */
public final class ApprovalApis implements ApiHandler {
  private static final KubernetesProtobuf PROTOBUF = KubernetesProtobuf.builtIn();

  private final ApiHandler delegate;
  private final Loopback api;
  private final ClusterAuthorizer authorizer;

  public ApprovalApis(ApiHandler delegate, Loopback api, ClusterAuthorizer authorizer) {
    this.delegate = delegate;
    this.api = api;
    this.authorizer = authorizer;
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    Optional<RequestInfo> parsed = RequestInfo.parse(request);
    if (parsed.isEmpty()
        || !parsed.get().group().equals("certificates.k8s.io")
        || !parsed.get().resource().equals("certificatesigningrequests")
        || !parsed.get().subresource().equals("approval")) {
      return delegate.handle(request);
    }
    RequestInfo info = parsed.get();
    String path = CsrSigner.PATH + info.name();
    ObjectNode current =
        api.get(path)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "certificates.k8s.io", "certificatesigningrequests", info.name()));
    if (info.verb().equals("get")) {
      return new ApiResponse.Full(200, "application/json", Json.bytes(current));
    }
    if (!info.verb().equals("update")) {
      throw ApiException.methodNotAllowed(
          "the server does not allow this method on the requested resource");
    }
    ObjectNode body = decode(request);
    String signer = current.path("spec").path("signerName").asString("");
    checkApprover(request, signer, info.name());
    String given = body.path("metadata").path("resourceVersion").asString("");
    String stored = current.path("metadata").path("resourceVersion").asString("");
    if (!given.isEmpty() && !given.equals(stored)) {
      throw ApiException.conflict(
          "certificates.k8s.io",
          "certificatesigningrequests",
          info.name(),
          "the object has been modified; please apply your changes to the latest version and try"
              + " again");
    }
    ArrayNode conditions = Json.MAPPER.createArrayNode();
    boolean approved = false;
    boolean denied = false;
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    for (JsonNode condition : body.path("status").path("conditions")) {
      ObjectNode copy = ((ObjectNode) condition).deepCopy();
      String type = copy.path("type").asString("");
      approved |= type.equals("Approved");
      denied |= type.equals("Denied");
      if (!copy.has("status")) {
        copy.put("status", "True");
      }
      if (!copy.hasNonNull("lastUpdateTime")) {
        copy.put("lastUpdateTime", now);
      }
      if (!copy.hasNonNull("lastTransitionTime")) {
        copy.put("lastTransitionTime", now);
      }
      conditions.add(copy);
    }
    if (approved && denied) {
      throw ApiException.invalid(
          "certificates.k8s.io",
          "CertificateSigningRequest",
          info.name(),
          List.of(
              new ApiException.Cause(
                  "FieldValueInvalid",
                  "Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive",
                  "status.conditions[1].type")));
    }
    ObjectNode status =
        current.get("status") instanceof ObjectNode s ? s : current.putObject("status");
    status.set("conditions", conditions);
    ObjectNode updated = api.update(path + "/status", current);
    return new ApiResponse.Full(200, "application/json", Json.bytes(updated));
  }

  private void checkApprover(ApiRequest request, String signer, String name) {
    String domainWildcard =
        signer.contains("/") ? signer.substring(0, signer.indexOf('/')) + "/*" : signer;
    for (String signerName : List.of(signer, domainWildcard)) {
      Attributes approve =
          Attributes.resource(
              request.user(), "approve", "certificates.k8s.io", "signers", "", "", signerName);
      if (authorizer.decide(approve).allowed()) {
        return;
      }
    }
    throw Forbidden.error(
        "certificates.k8s.io",
        "certificatesigningrequests",
        name,
        "user not permitted to approve requests with signerName \"" + signer + "\"");
  }

  private static ObjectNode decode(ApiRequest request) {
    try {
      if (KubernetesProtobuf.hasMagic(request.body())) {
        return PROTOBUF.decode(request.body());
      }
      return Json.parseObject(request.body());
    } catch (RuntimeException e) {
      throw ApiException.badRequest("the body of the request was in an unknown format");
    }
  }
}
