package dev.skiff.controllers.runtime;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Kubernetes object timestamps (RFC 3339 strings in fabric8 models). */
public final class Timestamps {
  private Timestamps() {}

  /** The instant, or null for a missing or unparseable timestamp. */
  public static Instant parse(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The RFC 3339 form Kubernetes writes: whole seconds, UTC. */
  public static String format(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
