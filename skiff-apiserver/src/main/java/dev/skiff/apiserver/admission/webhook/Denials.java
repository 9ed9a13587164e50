package dev.skiff.apiserver.admission.webhook;

import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The Status errors a webhook's refusal or failure turns into, worded as Kubernetes words them. */
final class Denials {
  private Denials() {}

  /** A 500 InternalError, as Kubernetes' NewInternalError: the message is also its one cause. */
  static ApiException internalError(String message) {
    return new ApiException(
        500,
        "InternalError",
        "Internal error occurred: " + message,
        new ApiException.Details(
            null, null, null, List.of(new ApiException.Cause("", message, null)), null));
  }

  /**
   * A webhook's refusal: the code, reason and details of its {@code response.status} (403 Forbidden
   * when it gives none) with the message {@code <resource> "<name>" is forbidden: admission webhook
   * "<webhook>" denied the request: <message>}.
   */
  static ApiException denied(
      Webhook webhook,
      AdmissionRequest request,
      GroupVersionResource requested,
      JsonNode response) {
    JsonNode status = response.path("status");
    int code = status.path("code").asInt(0);
    if (code < 400) {
      code = 403;
    }
    String deniedBy = "admission webhook \"" + webhook.name() + "\" denied the request";
    String given = status.path("message").asString("");
    String givenReason = status.path("reason").asString("");
    String message;
    if (!given.isEmpty()) {
      message = deniedBy + ": " + given;
    } else if (!givenReason.isEmpty()) {
      message = deniedBy + ": " + givenReason;
    } else {
      message = deniedBy + " without explanation";
    }
    String name = request.name() == null || request.name().isEmpty() ? "Unknown" : request.name();
    String resource =
        requested.group().isEmpty()
            ? requested.resource()
            : requested.resource() + "." + requested.group();
    String prefix =
        code == 500 ? "Internal error occurred" : resource + " \"" + name + "\" is forbidden";
    String reason =
        givenReason.isEmpty() ? (code == 500 ? "InternalError" : "Forbidden") : givenReason;
    ApiException.Details details;
    JsonNode givenDetails = status.get("details");
    if (givenDetails != null && givenDetails.isObject()) {
      List<ApiException.Cause> causes = new ArrayList<>();
      for (JsonNode cause : givenDetails.path("causes")) {
        causes.add(
            new ApiException.Cause(
                cause.path("reason").asString(""),
                cause.path("message").asString(""),
                cause.hasNonNull("field") ? cause.get("field").asString() : null));
      }
      details =
          new ApiException.Details(
              text(givenDetails, "name"),
              text(givenDetails, "group"),
              text(givenDetails, "kind"),
              causes,
              givenDetails.hasNonNull("retryAfterSeconds")
                  ? givenDetails.get("retryAfterSeconds").asInt()
                  : null);
    } else if (code == 500) {
      details =
          new ApiException.Details(
              null, null, null, List.of(new ApiException.Cause("", message, null)), null);
    } else {
      details = new ApiException.Details(name, requested.group(), requested.resource(), null, null);
    }
    return new ApiException(code, reason, prefix + ": " + message, details);
  }

  private static String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asString() : null;
  }
}
