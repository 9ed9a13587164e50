package dev.skiff.api.validation;

import java.util.List;
import java.util.Map;

/**
 * One field validation failure, as Kubernetes reports it in an Invalid status: {@link #field()} is
 * the StatusCause field, {@link #type()}'s reason its type, {@link #body()} its message.
 *
 * @param type what is wrong
 * @param field the field path, e.g. "metadata.name" or "spec.containers[0].image"
 * @param badValue the offending value (a String, Number, Boolean, list, map or null)
 * @param detail the explanation, e.g. "must be no more than 63 characters"
 */
public record FieldError(Type type, String field, Object badValue, String detail) {

  /** Kubernetes' field error types with their StatusCause reasons and display texts. */
  public enum Type {
    NOT_FOUND("FieldValueNotFound", "Not found"),
    REQUIRED("FieldValueRequired", "Required value"),
    DUPLICATE("FieldValueDuplicate", "Duplicate value"),
    INVALID("FieldValueInvalid", "Invalid value"),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
    FORBIDDEN("FieldValueForbidden", "Forbidden"),
    TOO_LONG("FieldValueTooLong", "Too long"),
    TOO_MANY("FieldValueTooMany", "Too many"),
    INTERNAL("InternalError", "Internal error"),
    TYPE_INVALID("FieldValueTypeInvalid", "Invalid value");

    private final String reason;
    private final String text;

    Type(String reason, String text) {
      this.reason = reason;
      this.text = text;
    }

    /** The StatusCause type, e.g. "FieldValueInvalid". */
    public String reason() {
      return reason;
    }

    /** The text that starts the message, e.g. "Invalid value". */
    public String text() {
      return text;
    }
  }

  public static FieldError invalid(String field, Object value, String detail) {
    return new FieldError(Type.INVALID, field, value, detail);
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, "", detail);
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, "", detail);
  }

  public static FieldError duplicate(String field, Object value) {
    return new FieldError(Type.DUPLICATE, field, value, "");
  }

  public static FieldError notFound(String field, Object value) {
    return new FieldError(Type.NOT_FOUND, field, value, "");
  }

  /** An Unsupported value error listing the supported values, as Kubernetes words it. */
  public static FieldError notSupported(String field, Object value, List<String> supported) {
    StringBuilder detail = new StringBuilder();
    if (!supported.isEmpty()) {
      detail.append("supported values: ");
      for (int i = 0; i < supported.size(); i++) {
        if (i > 0) {
          detail.append(", ");
        }
        detail.append('"').append(supported.get(i)).append('"');
      }
    }
    return new FieldError(Type.NOT_SUPPORTED, field, value, detail.toString());
  }

  /** A Too long error: "may not be more than N bytes" (or "value is too long" for max < 0). */
  public static FieldError tooLong(String field, Object value, int maxLength) {
    String detail =
        maxLength < 0
            ? "value is too long"
            : "may not be more than " + maxLength + (maxLength == 1 ? " byte" : " bytes");
    return new FieldError(Type.TOO_LONG, field, value, detail);
  }

  /**
   * The StatusCause message: the error without its field, e.g. {@code Invalid value: "A": a
   * lowercase RFC 1123 subdomain ...}.
   */
  public String body() {
    StringBuilder s = new StringBuilder(type.text());
    switch (type) {
      case REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL -> {}
      default -> s.append(": ").append(formatValue(badValue));
    }
    if (!detail.isEmpty()) {
      s.append(": ").append(detail);
    }
    return s.toString();
  }

  /** The whole error as Kubernetes prints it: {@code field: body}. */
  @Override
  public String toString() {
    return field + ": " + body();
  }

  private static String formatValue(Object value) {
    if (value == null) {
      return "\"null\"";
    }
    if (value instanceof String s) {
      return quote(s);
    }
    if (value instanceof List<?> || value instanceof Map<?, ?>) {
      return value.toString();
    }
    return String.valueOf(value);
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
