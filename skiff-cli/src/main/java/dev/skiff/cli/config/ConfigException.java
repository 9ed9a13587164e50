package dev.skiff.cli.config;

/**
 * An expected failure of a {@code skiff config} command; its message is the text kubectl prints
 * after {@code error: }.
 */
final class ConfigException extends RuntimeException {
  ConfigException(String message) {
    super(message);
  }
}
