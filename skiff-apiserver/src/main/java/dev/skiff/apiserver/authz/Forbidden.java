package dev.skiff.apiserver.authz;

import dev.skiff.apiserver.http.ApiException;

/** Kubernetes' 403 for an authorization denial, worded as kube-apiserver words it. */
public final class Forbidden {
  private Forbidden() {}

  /** E.g. {@code User "jane" cannot list resource "pods" in API group "" in the namespace "x"}. */
  public static String message(Attributes request) {
    String user = request.user() == null ? "" : request.user().name();
    if (!request.resourceRequest()) {
      return "User \"" + user + "\" cannot " + request.verb() + " path \"" + request.path() + "\"";
    }
    String prefix =
        "User \""
            + user
            + "\" cannot "
            + request.verb()
            + " resource \""
            + request.resourceWithSubresource()
            + "\" in API group \""
            + request.group()
            + "\"";
    return request.namespace().isEmpty()
        ? prefix + " at the cluster scope"
        : prefix + " in the namespace \"" + request.namespace() + "\"";
  }

  /** The Status error for a denied request; {@code reason} is appended after ": " if not empty. */
  public static ApiException error(Attributes request, String reason) {
    String cause = message(request) + (reason == null || reason.isEmpty() ? "" : ": " + reason);
    return error(request.group(), request.resource(), request.name(), cause);
  }

  /** {@code <resource.group> "<name>" is forbidden: <cause>} with Kubernetes' details. */
  public static ApiException error(String group, String resource, String name, String cause) {
    String qualified = group.isEmpty() ? resource : resource + "." + group;
    String message;
    if (qualified.isEmpty()) {
      message = "forbidden: " + cause;
    } else if (name.isEmpty()) {
      message = qualified + " is forbidden: " + cause;
    } else {
      message = qualified + " \"" + name + "\" is forbidden: " + cause;
    }
    return new ApiException(
        403,
        "Forbidden",
        message,
        new ApiException.Details(
            name.isEmpty() ? null : name, group, resource.isEmpty() ? null : resource, null, null));
  }
}
