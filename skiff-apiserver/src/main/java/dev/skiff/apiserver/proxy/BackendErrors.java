package dev.skiff.apiserver.proxy;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A kubelet's error answer as the client's Status: a Status the kubelet sent is kept, otherwise its
 * text becomes the message under the reason its HTTP code stands for (as kube-apiserver's response
 * checker for streamed subresources does).
 */
final class BackendErrors {
  private BackendErrors() {}

  static ApiException fromResponse(int code, String contentType, String body) {
    if (contentType != null && contentType.startsWith("application/json")) {
      try {
        JsonNode status = Json.MAPPER.readTree(body);
        if ("Status".equals(status.path("kind").asString(""))) {
          return new ApiException(
              status.path("code").asInt(code),
              status.path("reason").asString(""),
              status.path("message").asString(body),
              null);
        }
      } catch (JacksonException e) {
        // not JSON after all: fall through to the text
      }
    }
    String message =
        body.isEmpty()
            ? "the server responded with the status code "
                + code
                + " but did not return more information"
            : body;
    return switch (code) {
      case 400 -> ApiException.badRequest(message);
      case 401 -> new ApiException(401, "Unauthorized", message, null);
      case 403 -> ApiException.forbidden(message);
      case 404 -> new ApiException(404, "NotFound", message, null);
      case 405 -> ApiException.methodNotAllowed(message);
      case 409 -> new ApiException(409, "Conflict", message, null);
      case 422 -> new ApiException(422, "Invalid", message, null);
      case 429 -> ApiException.tooManyRequests(message, 1);
      case 503 -> ApiException.serviceUnavailable(message);
      case 504 -> new ApiException(504, "Timeout", message, null);
      default ->
          code >= 500
              ? ApiException.internalError("Internal error occurred: " + message)
              : new ApiException(code, "", message, null);
    };
  }
}
