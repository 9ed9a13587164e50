package dev.skiff.apiserver.admission.webhook;

import dev.skiff.api.Json;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * admission.k8s.io/v1 AdmissionReview: the request sent to a webhook and the checks on its answer.
 */
final class AdmissionReviews {
  static final String API_VERSION = "admission.k8s.io/v1";
  static final String KIND = "AdmissionReview";

  private AdmissionReviews() {}

  /**
   * The AdmissionReview for one webhook call.
   *
   * @param resource the resource the webhook matched (the object is sent as stored)
   * @param requested the resource of the client's URL
   * @param client the client's request, for its options (fieldManager, dryRun); may be null
   */
  static ObjectNode request(
      String uid,
      AdmissionRequest admission,
      GroupVersionResource resource,
      GroupVersionResource requested,
      ApiRequest client) {
    ObjectNode review = Json.object();
    review.put("apiVersion", API_VERSION);
    review.put("kind", KIND);
    ObjectNode request = review.putObject("request");
    request.put("uid", uid);
    String kind = admission.type().kind();
    putKind(request.putObject("kind"), resource, kind);
    putResource(request.putObject("resource"), resource);
    if (!admission.subresource().isEmpty()) {
      request.put("subResource", admission.subresource());
    }
    putKind(request.putObject("requestKind"), requested, kind);
    putResource(request.putObject("requestResource"), requested);
    if (!admission.subresource().isEmpty()) {
      request.put("requestSubResource", admission.subresource());
    }
    if (admission.name() != null && !admission.name().isEmpty()) {
      request.put("name", admission.name());
    }
    if (admission.namespace() != null && !admission.namespace().isEmpty()) {
      request.put("namespace", admission.namespace());
    }
    request.put("operation", admission.operation().name());
    request.set("userInfo", userInfo(admission.user()));
    request.set("object", admission.object());
    request.set("oldObject", admission.old());
    request.put("dryRun", admission.dryRun());
    request.set("options", options(admission, client));
    return review;
  }

  private static void putKind(ObjectNode node, GroupVersionResource resource, String kind) {
    node.put("group", resource.group());
    node.put("version", resource.version());
    node.put("kind", kind);
  }

  private static void putResource(ObjectNode node, GroupVersionResource resource) {
    node.put("group", resource.group());
    node.put("version", resource.version());
    node.put("resource", resource.resource());
  }

  private static ObjectNode userInfo(UserInfo user) {
    ObjectNode info = Json.object();
    info.put("username", user.name());
    if (!user.uid().isEmpty()) {
      info.put("uid", user.uid());
    }
    if (!user.groups().isEmpty()) {
      ArrayNode groups = info.putArray("groups");
      user.groups().forEach(groups::add);
    }
    if (!user.extra().isEmpty()) {
      ObjectNode extra = info.putObject("extra");
      for (Map.Entry<String, List<String>> entry : user.extra().entrySet()) {
        ArrayNode values = extra.putArray(entry.getKey());
        entry.getValue().forEach(values::add);
      }
    }
    return info;
  }

  /**
   * CreateOptions, UpdateOptions, PatchOptions (for a PATCH, whether it updates or creates) or
   * DeleteOptions, as far as the request's query names them.
   */
  private static ObjectNode options(AdmissionRequest admission, ApiRequest client) {
    ObjectNode options = Json.object();
    String kind;
    if (admission.operation() == AdmissionRequest.Operation.DELETE) {
      kind = "DeleteOptions";
    } else if (client != null && client.method().equals("PATCH")) {
      kind = "PatchOptions";
    } else if (admission.operation() == AdmissionRequest.Operation.CREATE) {
      kind = "CreateOptions";
    } else {
      kind = "UpdateOptions";
    }
    options.put("kind", kind);
    options.put("apiVersion", "meta.k8s.io/v1");
    if (admission.dryRun()) {
      options.putArray("dryRun").add("All");
    }
    if (client != null) {
      String fieldManager = client.param("fieldManager");
      if (admission.operation() != AdmissionRequest.Operation.DELETE
          && fieldManager != null
          && !fieldManager.isEmpty()) {
        options.put("fieldManager", fieldManager);
      }
      String propagation = client.param("propagationPolicy");
      if (admission.operation() == AdmissionRequest.Operation.DELETE && propagation != null) {
        options.put("propagationPolicy", propagation);
      }
    }
    return options;
  }

  /**
   * The {@code response} of a webhook's answer after Kubernetes' checks (AdmissionReview v1, the
   * request's uid, a patch only with patchType JSONPatch from a mutating webhook).
   *
   * @throws CallingWebhookException when the answer is not a valid response to the request
   */
  static JsonNode verify(String uid, boolean mutating, JsonNode review) {
    String apiVersion = review.path("apiVersion").asString("");
    String kind = review.path("kind").asString("");
    if (!API_VERSION.equals(apiVersion) || !KIND.equals(kind)) {
      throw invalid(
          "expected webhook response of "
              + API_VERSION
              + ", Kind="
              + KIND
              + ", got "
              + apiVersion
              + ", Kind="
              + kind);
    }
    JsonNode response = review.get("response");
    if (response == null || !response.isObject()) {
      throw invalid("webhook response was absent");
    }
    String responseUid = response.path("uid").asString("");
    if (!uid.equals(responseUid)) {
      throw invalid("expected response.uid=\"" + uid + "\", got \"" + responseUid + "\"");
    }
    if (mutating && !response.path("patch").asString("").isEmpty()) {
      if (!response.hasNonNull("patchType")) {
        throw invalid("webhook returned response.patch but not response.patchType");
      }
      String patchType = response.get("patchType").asString();
      if (!"JSONPatch".equals(patchType)) {
        throw invalid("webhook returned invalid response.patchType of \"" + patchType + "\"");
      }
    }
    return response;
  }

  /** The decoded JSON patch of a verified mutating response, or null when it has none. */
  static JsonNode patch(JsonNode response) {
    String patch = response.path("patch").asString("");
    if (patch.isEmpty()) {
      return null;
    }
    return Json.MAPPER.readTree(Base64.getDecoder().decode(patch));
  }

  private static CallingWebhookException invalid(String reason) {
    return new CallingWebhookException("received invalid webhook response: " + reason);
  }
}
