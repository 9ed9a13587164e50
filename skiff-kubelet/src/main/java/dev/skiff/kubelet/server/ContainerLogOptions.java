package dev.skiff.kubelet.server;

import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * The query of {@code /containerLogs/{ns}/{pod}/{container}}: the fields of a PodLogOptions that
 * the kubelet reads.
 *
 * @param tailLines lines from the end to show, or -1 for all
 * @param since show only lines at or after this time, or null
 * @param limitBytes stop after this many bytes of output, or -1
 */
public record ContainerLogOptions(
    boolean follow,
    boolean previous,
    boolean timestamps,
    long tailLines,
    Instant since,
    long limitBytes) {

  public static final ContainerLogOptions DEFAULT =
      new ContainerLogOptions(false, false, false, -1, null, -1);

  /** Thrown for a query Kubernetes rejects as invalid (422). */
  public static final class InvalidLogOptions extends RuntimeException {
    InvalidLogOptions(String message) {
      super(message);
    }
  }

  /** Reads the query parameters as the kubelet does; relative times against {@code clock}. */
  public static ContainerLogOptions fromQuery(
      Map<String, List<String>> query, InstantSource clock) {
    boolean follow = flag(query, "follow");
    boolean previous = flag(query, "previous");
    boolean timestamps = flag(query, "timestamps");
    Long tail = number(query, "tailLines");
    Long limit = number(query, "limitBytes");
    Long sinceSeconds = number(query, "sinceSeconds");
    String sinceTime = first(query, "sinceTime");
    if (tail != null && tail < 0) {
      throw new InvalidLogOptions("tailLines: Invalid value: " + tail + ": must be >= 0");
    }
    if (limit != null && limit < 1) {
      throw new InvalidLogOptions("limitBytes: Invalid value: " + limit + ": must be > 0");
    }
    if (sinceSeconds != null && sinceTime != null) {
      throw new InvalidLogOptions("at most one of sinceTime or sinceSeconds may be specified");
    }
    if (sinceSeconds != null && sinceSeconds < 1) {
      throw new InvalidLogOptions(
          "sinceSeconds: Invalid value: " + sinceSeconds + ": must be greater than 0");
    }
    Instant since = null;
    if (sinceSeconds != null) {
      since = clock.instant().minusSeconds(sinceSeconds);
    } else if (sinceTime != null) {
      try {
        since = OffsetDateTime.parse(sinceTime).toInstant();
      } catch (DateTimeParseException e) {
        throw new InvalidLogOptions("sinceTime: Invalid value: \"" + sinceTime + "\"");
      }
    }
    return new ContainerLogOptions(
        follow, previous, timestamps, tail == null ? -1 : tail, since, limit == null ? -1 : limit);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Go's strconv.ParseBool as the query decoder uses it; a bare {@code ?follow} is true. */
  private static boolean flag(Map<String, List<String>> query, String name) {
    String value = first(query, name);
    if (value == null) {
      return false;
    }
    return switch (value) {
      case "", "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> throw new InvalidLogOptions(name + ": Invalid value: \"" + value + "\"");
    };
  }

  private static Long number(Map<String, List<String>> query, String name) {
    String value = first(query, name);
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidLogOptions(name + ": Invalid value: \"" + value + "\"");
    }
  }
}
