package dev.skiff.apiserver;

import dev.skiff.apiserver.componentstatus.ComponentStatusHandler;
import dev.skiff.apiserver.discovery.DiscoveryHandler;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.openapi.OpenApiHandler;

/**
 * Sends each request to the handler that owns its path: discovery documents, OpenAPI, component
 * statuses, or the resource registry (everything else under /api and /apis).
 */
final class ApiRouter implements ApiHandler {
  private final DiscoveryHandler discovery;
  private final OpenApiHandler openApi;
  private final ComponentStatusHandler componentStatuses;
  private final ApiHandler resources;

  ApiRouter(
      DiscoveryHandler discovery,
      OpenApiHandler openApi,
      ComponentStatusHandler componentStatuses,
      ApiHandler resources) {
    this.discovery = discovery;
    this.openApi = openApi;
    this.componentStatuses = componentStatuses;
    this.resources = resources;
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    String path = request.path();
    if (OpenApiHandler.handles(path)) {
      return openApi.handle(request);
    }
    if (DiscoveryHandler.handles(path)) {
      return discovery.handle(request);
    }
    if (ComponentStatusHandler.handles(path)) {
      return componentStatuses.handle(request);
    }
    return resources.handle(request);
  }
}
