package dev.skiff.apiserver.proxy;

import dev.skiff.api.Json;
import dev.skiff.apiserver.authz.Loopback;
import dev.skiff.apiserver.http.ApiException;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the objects the proxy needs (pods, nodes, services, endpoint slices) from the registry as
 * the API server itself, served from the watch caches like any client's reads.
 */
final class ClusterObjects {
  private final ApiHandler registry;

  ClusterObjects(ApiHandler registry) {
    this.registry = registry;
  }

  /** The object at {@code path}; the registry's 404 NotFound when it does not exist. */
  ObjectNode get(String path) {
    return call(path, Map.of());
  }

  /** The items of the list at {@code path}, filtered by a label selector ("" for all). */
  List<ObjectNode> list(String path, String labelSelector) {
    Map<String, List<String>> query =
        labelSelector == null || labelSelector.isEmpty()
            ? Map.of()
            : Map.of("labelSelector", List.of(labelSelector));
    List<ObjectNode> items = new ArrayList<>();
    for (JsonNode item : call(path, query).path("items")) {
      if (item instanceof ObjectNode object) {
        items.add(object);
      }
    }
    return items;
  }

  private ObjectNode call(String path, Map<String, List<String>> query) {
    ApiRequest request =
        new ApiRequest(
            "GET",
            path,
            query,
            Map.of(
                "accept", List.of("application/json"),
                "user-agent", List.of("kube-apiserver/kubelet-proxy")),
            new byte[0],
            Loopback.API_SERVER,
            false);
    ApiResponse response = registry.handle(request);
    if (!(response instanceof ApiResponse.Full full)) {
      throw ApiException.internalError("unexpected streamed response for GET " + path);
    }
    return Json.parseObject(full.body());
  }
}
