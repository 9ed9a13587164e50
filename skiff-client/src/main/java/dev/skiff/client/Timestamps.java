package dev.skiff.client;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Kubernetes' two wire formats of time: {@code Time} (RFC 3339, whole seconds) and {@code
 * MicroTime} (six fractional digits), as the API server stores and compares them.
 */
public final class Timestamps {
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** The value of a {@code metav1.Time} field: UTC, truncated to the second. */
  public static String time(Instant instant) {
    return SECONDS.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** The value of a {@code metav1.MicroTime} field (fabric8 models it as a ZonedDateTime). */
  public static ZonedDateTime microTime(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
  }

  /** Parses a {@code Time} or {@code MicroTime} string; null for a missing or unparseable one. */
  public static Instant parse(String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
