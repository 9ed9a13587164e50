package dev.skiff.apiserver.authz;

import dev.skiff.apiserver.http.ApiRequest;
import dev.skiff.apiserver.http.UserInfo;
import dev.skiff.apiserver.rest.RequestInfo;
import java.util.Locale;
import java.util.Optional;

/**
 * What an authorizer decides on (Kubernetes' authorizer.Attributes): who, which verb, and either a
 * resource (group, resource, subresource, namespace, name) or a non-resource path.
 *
 * @param verb for resource requests the API verb (get, list, watch, create, update, patch, delete,
 *     deletecollection, or a special verb such as impersonate, bind, escalate); for non-resource
 *     requests the lower-case HTTP method
 * @param namespace "" for cluster-scoped requests
 * @param name "" when the request names no object
 * @param path the request path (non-resource requests)
 */
public record Attributes(
    UserInfo user,
    String verb,
    boolean resourceRequest,
    String group,
    String resource,
    String subresource,
    String namespace,
    String name,
    String path) {

  /** A resource request. */
  public static Attributes resource(
      UserInfo user,
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String name) {
    return new Attributes(
        user,
        verb,
        true,
        nullToEmpty(group),
        nullToEmpty(resource),
        nullToEmpty(subresource),
        nullToEmpty(namespace),
        nullToEmpty(name),
        "");
  }

  /** A non-resource request, e.g. GET /healthz. */
  public static Attributes nonResource(UserInfo user, String verb, String path) {
    return new Attributes(user, verb, false, "", "", "", "", "", path);
  }

  /** The attributes of an HTTP request, parsed as Kubernetes' RequestInfoFactory does. */
  public static Attributes of(ApiRequest request) {
    Optional<RequestInfo> info = RequestInfo.parse(request);
    if (info.isPresent()) {
      RequestInfo r = info.get();
      return resource(
          request.user(),
          r.verb(),
          r.group(),
          r.resource(),
          r.subresource(),
          r.namespace(),
          r.name());
    }
    return nonResource(request.user(), request.method().toLowerCase(Locale.ROOT), request.path());
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }

  /** "pods" or "pods/log". */
  public String resourceWithSubresource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }
}
