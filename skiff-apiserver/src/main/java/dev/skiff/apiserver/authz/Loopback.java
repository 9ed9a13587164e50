package dev.skiff.apiserver.authz;

import dev.skiff.api.Json;
import dev.skiff.apiserver.admission.Admission;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.http.UserInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * The API server calling its own registry as {@code system:apiserver} (in {@code system:masters}),
 * the way kube-apiserver's post-start hooks use a loopback client: same validation, defaulting and
 * watch events as any client's writes.
 */
public final class Loopback {
  public static final UserInfo API_SERVER =
      new UserInfo(
          "system:apiserver", "", List.of("system:masters", "system:authenticated"), Map.of());

  private final ApiHandler registry;

  public Loopback(ApiHandler registry) {
    this.registry = registry;
  }

  /** GET; empty on 404. */
  public Optional<ObjectNode> get(String path) {
    try {
      return Optional.of(call("GET", path, null));
    } catch (ApiException e) {
      if (e.code() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public ObjectNode create(String collectionPath, ObjectNode object) {
    return call("POST", collectionPath, object);
  }

  /**
   * POST unless the object exists already; true when created. Looks first, because a create of an
   * existing object can fail on something other than its name (a Service asking for the cluster IP
   * it already holds gets 422 before the name is checked); a 409 from a concurrent creator also
   * means present.
   */
  public boolean createIfAbsent(String collectionPath, ObjectNode object) {
    String name = object.path("metadata").path("name").asString("");
    if (!name.isEmpty() && get(collectionPath + "/" + name).isPresent()) {
      return false;
    }
    try {
      create(collectionPath, object);
      return true;
    } catch (ApiException e) {
      if (e.code() == 409) {
        return false;
      }
      throw e;
    }
  }

  public ObjectNode update(String path, ObjectNode object) {
    return call("PUT", path, object);
  }

  private ObjectNode call(String method, String path, ObjectNode body) {
    ApiRequest request =
        new ApiRequest(
            method,
            path,
            Map.of(),
            Map.of(
                "content-type", List.of("application/json"),
                "accept", List.of("application/json"),
                "user-agent", List.of("kube-apiserver/loopback")),
            body == null ? new byte[0] : Json.bytes(body),
            API_SERVER,
            false);
    ApiResponse response = Admission.without(() -> registry.handle(request));
    if (!(response instanceof ApiResponse.Full full)) {
      throw ApiException.internalError("unexpected streamed response for " + method + " " + path);
    }
    return Json.parseObject(full.body());
  }
}
