package dev.skiff.apiserver;

import dev.skiff.apiserver.componentstatus.ComponentStatusHandler;
import dev.skiff.apiserver.discovery.DiscoveryHandler;
import dev.skiff.apiserver.http.ApiHandler;
import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.ApiResponse;
import dev.skiff.apiserver.openapi.OpenApiHandler;
import dev.skiff.apiserver.proxy.KubeletProxy;

/**
 * Sends each request to the handler that owns its path: discovery documents, OpenAPI, component
 * statuses, what kubelets serve (logs, exec, proxies, metrics.k8s.io), or the resource registry
 * (everything else under /api and /apis).
 */
final class ApiRouter implements ApiHandler {
  private final DiscoveryHandler discovery;
  private final OpenApiHandler openApi;
  private final ComponentStatusHandler componentStatuses;
  private final ApiHandler kubelets;
  private final ApiHandler resources;

  ApiRouter(
      DiscoveryHandler discovery,
      OpenApiHandler openApi,
      ComponentStatusHandler componentStatuses,
      ApiHandler kubelets,
      ApiHandler resources) {
    this.discovery = discovery;
    this.openApi = openApi;
    this.componentStatuses = componentStatuses;
    this.kubelets = kubelets;
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
    if (KubeletProxy.handles(path)) {
      return kubelets.handle(request);
    }
    return resources.handle(request);
  }
}
