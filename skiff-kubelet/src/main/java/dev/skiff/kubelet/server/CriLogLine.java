package dev.skiff.kubelet.server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * One line of a CRI container log file: {@code <RFC3339Nano> <stdout|stderr> <P|F> <text>\n}. A
 * {@code P} (partial) line continues in the next line of the same stream; {@code F} ends it.
 *
 * @param content the text after the tag, without the line's newline
 */
public record CriLogLine(Instant timestamp, String stream, boolean partial, byte[] content) {
  private static final byte SPACE = ' ';

  /** Parses one line (without its trailing newline); null when it is not in CRI format. */
  public static CriLogLine parse(byte[] line, int length) {
    int first = indexOf(line, 0, length);
    if (first < 0) {
      return null;
    }
    int second = indexOf(line, first + 1, length);
    if (second < 0) {
      return null;
    }
    int third = indexOf(line, second + 1, length);
    // the text may be empty; then the tag ends the line (without the separating space)
    int tagEnd = third < 0 ? length : third;
    Instant timestamp;
    try {
      timestamp =
          OffsetDateTime.parse(new String(line, 0, first, StandardCharsets.US_ASCII)).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
    String stream = new String(line, first + 1, second - first - 1, StandardCharsets.US_ASCII);
    String tags = new String(line, second + 1, tagEnd - second - 1, StandardCharsets.US_ASCII);
    // tags are ':'-separated; the first one is P or F
    boolean partial = tags.equals("P") || tags.startsWith("P:");
    byte[] content =
        third < 0 ? new byte[0] : Arrays.copyOfRange(line, third + 1, Math.max(third + 1, length));
    return new CriLogLine(timestamp, stream, partial, content);
  }

  private static int indexOf(byte[] line, int from, int length) {
    for (int i = from; i < length; i++) {
      if (line[i] == SPACE) {
        return i;
      }
    }
    return -1;
  }
}
