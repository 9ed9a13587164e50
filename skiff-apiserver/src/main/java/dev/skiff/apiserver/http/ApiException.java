package dev.skiff.apiserver.http;

import dev.skiff.api.Json;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An API error with Kubernetes' Status fields. The one exception handlers throw for expected
 * failures; the transport renders {@link #toStatus()} with {@link #code()} as the HTTP status.
 */
public final class ApiException extends RuntimeException {
  private final int code;
  private final String reason;
  private final Details details;

  /** One StatusCause: a field error of an Invalid status, for instance. */
  public record Cause(String reason, String message, String field) {}

  /** StatusDetails: what the error is about. Any part may be null or empty. */
  public record Details(
      String name, String group, String kind, List<Cause> causes, Integer retryAfterSeconds) {
    public Details {
      causes = causes == null ? List.of() : List.copyOf(causes);
    }
  }

  public ApiException(int code, String reason, String message, Details details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  public int code() {
    return code;
  }

  /** The Status reason, e.g. "NotFound"; empty for a plain 400/500. */
  public String reason() {
    return reason;
  }

  public Details details() {
    return details;
  }

  /** A resource as named in messages: "pods" or "deployments.apps". */
  private static String qualified(String group, String resource) {
    return group == null || group.isEmpty() ? resource : resource + "." + group;
  }

  public static ApiException notFound(String group, String resource, String name) {
    return new ApiException(
        404,
        "NotFound",
        qualified(group, resource) + " \"" + name + "\" not found",
        new Details(name, group, resource, null, null));
  }

  public static ApiException alreadyExists(String group, String resource, String name) {
    return new ApiException(
        409,
        "AlreadyExists",
        qualified(group, resource) + " \"" + name + "\" already exists",
        new Details(name, group, resource, null, null));
  }

  public static ApiException conflict(String group, String resource, String name, String why) {
    return new ApiException(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + qualified(group, resource)
            + " \""
            + name
            + "\": "
            + why,
        new Details(name, group, resource, null, null));
  }

  /** 422 Invalid; {@code kind} is the object kind, e.g. "Pod"; causes carry the field paths. */
  public static ApiException invalid(String group, String kind, String name, List<Cause> causes) {
    StringBuilder message =
        new StringBuilder(qualified(group, kind))
            .append(" \"")
            .append(name)
            .append("\" is invalid: ");
    for (int i = 0; i < causes.size(); i++) {
      if (i > 0) {
        message.append(", ");
      }
      Cause cause = causes.get(i);
      if (cause.field() != null && !cause.field().isEmpty()) {
        message.append(cause.field()).append(": ");
      }
      message.append(cause.message());
    }
    if (causes.size() > 1) {
      message.insert(message.indexOf(": ") + 2, "[").append("]");
    }
    return new ApiException(
        422, "Invalid", message.toString(), new Details(name, group, kind, causes, null));
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "BadRequest", message, null);
  }

  public static ApiException unauthorized() {
    return new ApiException(401, "Unauthorized", "Unauthorized", null);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "Forbidden", message, null);
  }

  public static ApiException methodNotAllowed(String message) {
    return new ApiException(405, "MethodNotAllowed", message, null);
  }

  public static ApiException notAcceptable(String message) {
    return new ApiException(406, "NotAcceptable", message, null);
  }

  public static ApiException gone(String message) {
    return new ApiException(410, "Expired", message, null);
  }

  public static ApiException requestEntityTooLarge(String message) {
    return new ApiException(413, "RequestEntityTooLarge", message, null);
  }

  public static ApiException unsupportedMediaType(String message) {
    return new ApiException(415, "UnsupportedMediaType", message, null);
  }

  public static ApiException tooManyRequests(String message, int retryAfterSeconds) {
    return new ApiException(
        429, "TooManyRequests", message, new Details(null, null, null, null, retryAfterSeconds));
  }

  public static ApiException internalError(String message) {
    return new ApiException(500, "InternalError", message, null);
  }

  public static ApiException serviceUnavailable(String message) {
    return new ApiException(503, "ServiceUnavailable", message, null);
  }

  /** The meta/v1 Status object for this error. */
  public ObjectNode toStatus() {
    ObjectNode status = Json.object();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", getMessage());
    if (reason != null && !reason.isEmpty()) {
      status.put("reason", reason);
    }
    if (details != null) {
      ObjectNode d = status.putObject("details");
      if (details.name() != null) {
        d.put("name", details.name());
      }
      if (details.group() != null && !details.group().isEmpty()) {
        d.put("group", details.group());
      }
      if (details.kind() != null) {
        d.put("kind", details.kind());
      }
      if (!details.causes().isEmpty()) {
        ArrayNode causes = d.putArray("causes");
        for (Cause cause : details.causes()) {
          ObjectNode c = causes.addObject();
          c.put("reason", cause.reason());
          c.put("message", cause.message());
          if (cause.field() != null) {
            c.put("field", cause.field());
          }
        }
      }
      if (details.retryAfterSeconds() != null) {
        d.put("retryAfterSeconds", details.retryAfterSeconds());
      }
    }
    status.put("code", code);
    return status;
  }
}
