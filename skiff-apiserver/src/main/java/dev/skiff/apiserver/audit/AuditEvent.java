package dev.skiff.apiserver.audit;

import dev.skiff.api.Json;
import dev.skiff.apiserver.http.UserInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * One audit.k8s.io/v1 Event at level Metadata, stage ResponseComplete: who asked for what, when,
 * and the answer's code — never a request or response body.
 *
 * @param impersonatedUser the user the request acted as, or null when it did not impersonate
 * @param objectRef what the request addressed, or null for a non-resource request
 */
public record AuditEvent(
    String auditId,
    String requestUri,
    String verb,
    UserInfo user,
    UserInfo impersonatedUser,
    List<String> sourceIps,
    String userAgent,
    ObjectRef objectRef,
    int code,
    Instant received,
    Instant completed,
    Map<String, String> annotations) {

  /** Microseconds, as Kubernetes' MicroTime. */
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  public AuditEvent {
    sourceIps = List.copyOf(sourceIps);
    annotations = Map.copyOf(annotations);
  }

  /** The resource a request addressed; empty strings are left out of the JSON. */
  public record ObjectRef(
      String resource,
      String namespace,
      String name,
      String apiGroup,
      String apiVersion,
      String subresource) {}

  /** The event as one JSON object. */
  public ObjectNode toJson() {
    ObjectNode event = Json.object();
    event.put("kind", "Event");
    event.put("apiVersion", "audit.k8s.io/v1");
    event.put("level", "Metadata");
    event.put("auditID", auditId);
    event.put("stage", "ResponseComplete");
    event.put("requestURI", requestUri);
    event.put("verb", verb);
    user(event.putObject("user"), user);
    if (impersonatedUser != null) {
      user(event.putObject("impersonatedUser"), impersonatedUser);
    }
    sourceIps.forEach(event.putArray("sourceIPs")::add);
    if (userAgent != null && !userAgent.isEmpty()) {
      event.put("userAgent", userAgent);
    }
    if (objectRef != null) {
      ObjectNode ref = event.putObject("objectRef");
      putIfPresent(ref, "resource", objectRef.resource());
      putIfPresent(ref, "namespace", objectRef.namespace());
      putIfPresent(ref, "name", objectRef.name());
      putIfPresent(ref, "apiGroup", objectRef.apiGroup());
      putIfPresent(ref, "apiVersion", objectRef.apiVersion());
      putIfPresent(ref, "subresource", objectRef.subresource());
    }
    ObjectNode status = event.putObject("responseStatus");
    status.putObject("metadata");
    status.put("code", code);
    event.put("requestReceivedTimestamp", MICRO_TIME.format(received));
    event.put("stageTimestamp", MICRO_TIME.format(completed));
    if (!annotations.isEmpty()) {
      ObjectNode notes = event.putObject("annotations");
      annotations.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(entry -> notes.put(entry.getKey(), entry.getValue()));
    }
    return event;
  }

  private static void user(ObjectNode node, UserInfo user) {
    if (user == null) {
      return;
    }
    node.put("username", user.name());
    if (!user.uid().isEmpty()) {
      node.put("uid", user.uid());
    }
    if (!user.groups().isEmpty()) {
      user.groups().forEach(node.putArray("groups")::add);
    }
    if (!user.extra().isEmpty()) {
      ObjectNode extra = node.putObject("extra");
      user.extra().forEach((key, values) -> values.forEach(extra.putArray(key)::add));
    }
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null && !value.isEmpty()) {
      node.put(field, value);
    }
  }
}
