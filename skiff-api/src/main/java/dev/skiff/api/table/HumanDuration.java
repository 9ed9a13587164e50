package dev.skiff.api.table;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Durations as Kubernetes prints them in tables (e.g. the AGE column): two or three significant
 * figures, "45s", "3m4s", "17m", "5h2m", "2d3h", "400d", "3y20d". Skews of up to one second into
 * the future count as "0s"; more is "&lt;invalid&gt;".
 */
public final class HumanDuration {
  private HumanDuration() {}

  public static String format(Duration d) {
    long seconds = d.getSeconds() + (d.isNegative() && d.getNano() > 0 ? 1 : 0);
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 180) {
      return minutes + "m";
    }
    long hours = seconds / 3600;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) {
      return hours + "h";
    }
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? (hours / 24) + "d" : (hours / 24) + "d" + h + "h";
    }
    if (hours < 24 * 365 * 2) {
      return (hours / 24) + "d";
    }
    if (hours < 24 * 365 * 8) {
      long days = (hours / 24) % 365;
      return days == 0 ? (hours / 24 / 365) + "y" : (hours / 24 / 365) + "y" + days + "d";
    }
    return (hours / 24 / 365) + "y";
  }

  /**
   * The time from an RFC 3339 timestamp to {@code now}, formatted; "&lt;unknown&gt;" when the
   * timestamp is missing or unreadable, as Kubernetes prints a zero time.
   */
  public static String since(String timestamp, Instant now) {
    Instant then = parse(timestamp);
    return then == null ? "<unknown>" : format(Duration.between(then, now));
  }

  static Instant parse(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(timestamp).toInstant();
      } catch (DateTimeParseException again) {
        return null;
      }
    }
  }
}
