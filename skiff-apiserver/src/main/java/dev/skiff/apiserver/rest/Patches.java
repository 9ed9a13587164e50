package dev.skiff.apiserver.rest;

import dev.skiff.api.Json;
import dev.skiff.api.patch.JsonPatch;
import dev.skiff.api.patch.MergePatch;
import dev.skiff.api.patch.PatchException;
import dev.skiff.api.patch.StrategicMergePatch;
import dev.skiff.apiserver.http.ApiException;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Applies a PATCH body by its content type with dev.skiff.api.patch, translating patch failures
 * into API errors once: malformed patches are 400, patches that do not fit the object 422.
 */
final class Patches {
  private Patches() {}

  /**
   * The patched object.
   *
   * @param modelClass the fabric8 model of the object, null for resources without one (strategic
   *     merge is then refused with 415, as Kubernetes refuses it for custom resources)
   */
  static ObjectNode apply(String contentType, ObjectNode target, byte[] body, Class<?> modelClass) {
    if (contentType.equals("application/apply-patch+yaml")) {
      throw ApiException.unsupportedMediaType(
          "server-side apply is not supported yet; use application/json-patch+json,"
              + " application/merge-patch+json or application/strategic-merge-patch+json");
    }
    if (!List.of(
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/strategic-merge-patch+json")
        .contains(contentType)) {
      throw BodyDecoder.unsupported(contentType);
    }
    JsonNode patch;
    try {
      patch = Json.MAPPER.readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("error decoding patch: " + e.getOriginalMessage());
    }
    JsonNode result;
    try {
      result =
          switch (contentType) {
            case "application/json-patch+json" -> JsonPatch.apply(target, patch);
            case "application/merge-patch+json" -> MergePatch.apply(target, patch);
            case "application/strategic-merge-patch+json" -> {
              if (modelClass == null) {
                throw ApiException.unsupportedMediaType(
                    "the body of the request was in an unknown format - accepted media types"
                        + " include: application/json-patch+json, application/merge-patch+json,"
                        + " application/apply-patch+yaml");
              }
              if (!(patch instanceof ObjectNode object)) {
                throw ApiException.badRequest("a strategic merge patch must be a JSON object");
              }
              yield StrategicMergePatch.apply(target, object, modelClass);
            }
            default -> throw BodyDecoder.unsupported(contentType);
          };
    } catch (PatchException e) {
      if (e.statusCode() == 422) {
        throw new ApiException(
            422,
            "Invalid",
            e.getMessage(),
            new ApiException.Details(
                null, null, null, List.of(new ApiException.Cause("", e.getMessage(), null)), null));
      }
      throw ApiException.badRequest(e.getMessage());
    }
    if (!(result instanceof ObjectNode object)) {
      throw ApiException.badRequest("the patch did not produce an object");
    }
    return object;
  }
}
