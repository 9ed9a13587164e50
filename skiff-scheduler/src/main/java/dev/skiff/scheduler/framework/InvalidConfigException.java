package dev.skiff.scheduler.framework;

/**
 * A scheduler configuration error naming the offending field, e.g. {@code
 * profiles[0].schedulerName}.
 */
public final class InvalidConfigException extends RuntimeException {
  private final String field;

  public InvalidConfigException(String field, String detail) {
    super(field + ": " + detail);
    this.field = field;
  }

  public String field() {
    return field;
  }

  /** The same error with {@code prefix} prepended to the field path. */
  public InvalidConfigException under(String prefix) {
    String detail = getMessage().substring(field.length() + 2);
    return new InvalidConfigException(prefix + (field.isEmpty() ? "" : "." + field), detail);
  }
}
