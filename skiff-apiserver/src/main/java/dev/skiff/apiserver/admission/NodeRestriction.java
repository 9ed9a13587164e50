package dev.skiff.apiserver.admission;

import dev.skiff.apiserver.authz.Forbidden;
import dev.skiff.apiserver.http.UserInfo;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' NodeRestriction: a kubelet ({@code system:node:<name>} in {@code system:nodes}) may
 * create and delete only mirror pods bound to its node, update the status only of pods bound to its
 * node, and create, change or delete only its own Node object.
 */
public final class NodeRestriction implements AdmissionPlugin {
  static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  @Override
  public String name() {
    return "NodeRestriction";
  }

  static String nodeName(UserInfo user) {
    if (user == null
        || !user.groups().contains("system:nodes")
        || !user.name().startsWith("system:node:")) {
      return null;
    }
    String name = user.name().substring("system:node:".length());
    return name.isEmpty() ? null : name;
  }

  @Override
  public void validate(AdmissionRequest request) {
    String node = nodeName(request.user());
    if (node == null) {
      return;
    }
    if (request.isCore("pods")) {
      pod(node, request);
    } else if (request.isCore("nodes")) {
      if (!request.name().equals(node)) {
        throw deny(
            request,
            "node \"" + node + "\" is not allowed to modify node \"" + request.name() + "\"");
      }
    }
  }

  private static void pod(String node, AdmissionRequest request) {
    switch (request.operation()) {
      case CREATE -> {
        if (!request.subresource().isEmpty()) {
          return;
        }
        ObjectNode pod = request.object();
        if (!pod.path("metadata").path("annotations").has(MIRROR_ANNOTATION)) {
          throw deny(
              request,
              "pod does not have \""
                  + MIRROR_ANNOTATION
                  + "\" annotation, node \""
                  + node
                  + "\" can only create mirror pods");
        }
        if (!node.equals(pod.path("spec").path("nodeName").asString(""))) {
          throw deny(
              request,
              "node \"" + node + "\" can only create pods with spec.nodeName set to itself");
        }
      }
      case UPDATE -> {
        if (request.subresource().equals("status")) {
          if (!node.equals(request.old().path("spec").path("nodeName").asString(""))) {
            throw deny(
                request,
                "node \""
                    + node
                    + "\" can only update pod status for pods with spec.nodeName set to itself");
          }
        } else {
          throw deny(
              request,
              "unexpected operation \"UPDATE\", node \""
                  + node
                  + "\" can only create and delete mirror pods");
        }
      }
      case DELETE -> {
        if (!node.equals(request.old().path("spec").path("nodeName").asString(""))) {
          throw deny(
              request,
              "node \"" + node + "\" can only delete pods with spec.nodeName set to itself");
        }
      }
    }
  }

  private static RuntimeException deny(AdmissionRequest request, String reason) {
    return Forbidden.error(request.group(), request.resource(), request.name(), reason);
  }
}
