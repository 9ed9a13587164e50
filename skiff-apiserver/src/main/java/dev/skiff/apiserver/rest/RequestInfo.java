package dev.skiff.apiserver.rest;

import dev.skiff.apiserver.http.ApiRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a resource URL names, as Kubernetes' RequestInfoFactory parses it: the verb, the group,
 * version and resource, and where present the namespace, name and subresource.
 *
 * @param verb get, list, watch, create, update, patch, delete or deletecollection
 * @param group "" for the core group (/api)
 * @param namespace "" when the URL names no namespace
 * @param name "" when the URL names no object
 * @param subresource "" when the URL names no subresource
 * @param rest path segments after the subresource (proxy paths), joined by '/'
 */
public record RequestInfo(
    String verb,
    String group,
    String version,
    String resource,
    String subresource,
    String namespace,
    String name,
    String rest) {

  /** Namespace subresources that are not nested resources: /namespaces/x/status, /finalize. */
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  /** Parses a resource request; empty when the path is not a resource URL (e.g. /api, /healthz). */
  public static Optional<RequestInfo> parse(ApiRequest request) {
    return parse(request.method(), request.path(), request.param("watch"));
  }

  static Optional<RequestInfo> parse(String method, String path, String watchParam) {
    List<String> parts = new ArrayList<>(Arrays.asList(trimSlashes(path).split("/")));
    if (parts.size() < 3) {
      return Optional.empty();
    }
    String group;
    String version;
    if (parts.get(0).equals("api")) {
      group = "";
      version = parts.get(1);
      parts = parts.subList(2, parts.size());
    } else if (parts.get(0).equals("apis") && parts.size() >= 4) {
      group = parts.get(1);
      version = parts.get(2);
      parts = parts.subList(3, parts.size());
    } else {
      return Optional.empty();
    }
    boolean watchPath = false;
    if (parts.get(0).equals("watch")) {
      watchPath = true;
      parts = parts.subList(1, parts.size());
      if (parts.isEmpty()) {
        return Optional.empty();
      }
    }
    String namespace = "";
    if (parts.get(0).equals("namespaces") && parts.size() > 1) {
      namespace = parts.get(1);
      if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
        parts = parts.subList(2, parts.size());
      }
    }
    String resource = parts.get(0);
    String name = parts.size() > 1 ? parts.get(1) : "";
    String subresource = parts.size() > 2 ? parts.get(2) : "";
    String rest = parts.size() > 3 ? String.join("/", parts.subList(3, parts.size())) : "";
    if (resource.isEmpty()) {
      return Optional.empty();
    }
    String verb = verb(method, !name.isEmpty(), watchPath || isTrue(watchParam));
    if (verb == null) {
      return Optional.empty();
    }
    return Optional.of(
        new RequestInfo(verb, group, version, resource, subresource, namespace, name, rest));
  }

  private static String verb(String method, boolean named, boolean watch) {
    return switch (method) {
      case "GET", "HEAD" -> watch ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> named ? "delete" : "deletecollection";
      default -> null;
    };
  }

  private static boolean isTrue(String value) {
    return value != null && (value.equals("true") || value.equals("1"));
  }

  private static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }
}
