package dev.skiff.cli.config;

import java.util.List;

/**
 * An expected failure of a {@code skiff config} command; its message is the text kubectl prints
 * after {@code error: }, or, for several errors at once, the lines kubectl prints without it.
 */
final class ConfigException extends RuntimeException {
  private final boolean several;

  ConfigException(String message) {
    this(message, false);
  }

  private ConfigException(String message, boolean several) {
    super(message);
    this.several = several;
  }

  /** One error as itself; several as kubectl prints an aggregate: one per line, no prefix. */
  static ConfigException of(List<String> errors) {
    return errors.size() == 1
        ? new ConfigException(errors.get(0))
        : new ConfigException(String.join("\n", errors), true);
  }

  /** The text for stderr. */
  String render() {
    String message = getMessage();
    String text = several ? message : "error: " + message;
    return text.endsWith("\n") ? text : text + "\n";
  }
}
