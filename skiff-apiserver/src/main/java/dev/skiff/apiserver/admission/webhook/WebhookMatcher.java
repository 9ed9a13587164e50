package dev.skiff.apiserver.admission.webhook;

import dev.skiff.api.selector.LabelSelector;
import dev.skiff.apiserver.admission.AdmissionRequest;
import dev.skiff.apiserver.admission.AdmissionRequest.Operation;
import dev.skiff.apiserver.http.ApiException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decides whether a webhook is called for one write, as Kubernetes does: the namespace selector
 * (against the labels of the request's namespace, or of the Namespace object itself), the object
 * selector (against the new or the old object's labels), then the rules against the resource the
 * client asked for, and with matchPolicy Equivalent against the stored resource too.
 */
final class WebhookMatcher {
  /**
   * Admission configuration objects are never sent to webhooks, so that a broken webhook cannot
   * lock the cluster out of fixing it (Kubernetes exempts the same resources).
   */
  private static final List<String> EXEMPT_RESOURCES =
      List.of(
          "validatingwebhookconfigurations",
          "mutatingwebhookconfigurations",
          "validatingadmissionpolicies",
          "validatingadmissionpolicybindings",
          "mutatingadmissionpolicies",
          "mutatingadmissionpolicybindings");

  private final Function<String, Optional<ObjectNode>> namespaces;

  /**
   * @param namespaces reads a Namespace by name
   */
  WebhookMatcher(Function<String, Optional<ObjectNode>> namespaces) {
    this.namespaces = namespaces;
  }

  static boolean exempt(AdmissionRequest request) {
    return request.group().equals("admissionregistration.k8s.io")
        && EXEMPT_RESOURCES.contains(request.resource());
  }

  /**
   * The resource the webhook is to be told about, or empty when it is not to be called.
   *
   * @param requested the group, version and resource of the client's URL
   * @throws ApiException 404 when the request's namespace does not exist and the webhook selects
   *     namespaces by label; 500 when the webhook's selectors cannot be parsed
   */
  Optional<GroupVersionResource> match(
      Webhook webhook, AdmissionRequest request, GroupVersionResource requested) {
    if (webhook.selectorError() != null) {
      if (matchRules(webhook, request, requested).isPresent()) {
        throw ApiException.internalError(
            "Internal error occurred: invalid selector of webhook \""
                + webhook.name()
                + "\": "
                + webhook.selectorError());
      }
      return Optional.empty();
    }
    if (!matchesNamespace(webhook.namespaceSelector(), request)
        || !matchesObject(webhook.objectSelector(), request)) {
      return Optional.empty();
    }
    return matchRules(webhook, request, requested);
  }

  private static Optional<GroupVersionResource> matchRules(
      Webhook webhook, AdmissionRequest request, GroupVersionResource requested) {
    boolean namespaced = request.type().namespaced();
    for (Rule rule : webhook.rules()) {
      if (rule.matches(request.operation(), requested, request.subresource(), namespaced)) {
        return Optional.of(requested);
      }
    }
    GroupVersionResource stored =
        new GroupVersionResource(request.group(), request.type().version(), request.resource());
    if (webhook.matchPolicy() == Webhook.MatchPolicy.EQUIVALENT && !stored.equals(requested)) {
      for (Rule rule : webhook.rules()) {
        if (rule.matches(request.operation(), stored, request.subresource(), namespaced)) {
          return Optional.of(stored);
        }
      }
    }
    return Optional.empty();
  }

  private boolean matchesNamespace(LabelSelector selector, AdmissionRequest request) {
    boolean namespaceObject = request.isCore("namespaces");
    String namespace = request.namespace() == null ? "" : request.namespace();
    if (namespaceObject) {
      namespace = request.name();
    } else if (namespace.isEmpty()) {
      return true; // cluster-scoped objects other than namespaces are never excluded
    }
    if (selector.isEverything()) {
      return true;
    }
    JsonNode labels;
    if (namespaceObject
        && request.subresource().isEmpty()
        && request.operation() != Operation.DELETE
        && request.object() != null) {
      labels = request.object().path("metadata").path("labels");
    } else {
      String name = namespace;
      labels =
          namespaces
              .apply(name)
              .orElseThrow(() -> ApiException.notFound("", "namespaces", name))
              .path("metadata")
              .path("labels");
    }
    return selector.matches(labels(labels));
  }

  private static boolean matchesObject(LabelSelector selector, AdmissionRequest request) {
    if (selector.isEverything()) {
      return true;
    }
    return matchesLabels(selector, request.object()) || matchesLabels(selector, request.old());
  }

  private static boolean matchesLabels(LabelSelector selector, ObjectNode object) {
    return object != null && selector.matches(labels(object.path("metadata").path("labels")));
  }

  private static Map<String, String> labels(JsonNode labels) {
    Map<String, String> map = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : labels.properties()) {
      map.put(entry.getKey(), entry.getValue().asString());
    }
    return map;
  }
}
