package dev.skiff.kubelet.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Turns CRI log files into the text {@code kubectl logs} shows: partial lines joined, optional
 * timestamp prefixes, {@code tailLines} and {@code since} over the rotated files too, a byte limit,
 * and follow mode that waits for new lines (across rotations) until the container stops.
 */
public final class ContainerLogReader {
  /** Where the text goes; throws when the client has gone, which ends the read. */
  public interface LogSink {
    void write(byte[] bytes, int offset, int length) throws IOException;
  }

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private final Duration pollInterval;

  public ContainerLogReader(Duration pollInterval) {
    this.pollInterval = pollInterval;
  }

  /**
   * Writes the log of one container to {@code sink}.
   *
   * @param current the file the runtime writes now
   * @param rotated earlier files of the same container, oldest first
   * @param running whether the container still runs (follow stops once it does not)
   */
  public void read(
      Path current,
      List<Path> rotated,
      ContainerLogOptions options,
      BooleanSupplier running,
      LogSink sink)
      throws IOException, InterruptedException {
    List<Path> files = new ArrayList<>(rotated);
    files.add(current);
    Output out = new Output(options, sink);
    int start = firstFileNeeded(files, options);
    ArrayDeque<LogicalLine> tail = options.tailLines() >= 0 ? new ArrayDeque<>() : null;
    Assembler assembler =
        new Assembler(
            line -> {
              if (options.since() != null && line.timestamp().isBefore(options.since())) {
                return true;
              }
              if (tail == null) {
                return out.write(line);
              }
              if (options.tailLines() == 0) {
                return true;
              }
              if (tail.size() == options.tailLines()) {
                tail.removeFirst();
              }
              tail.addLast(line);
              return true;
            });
    for (int i = start; i < files.size() - 1; i++) {
      try (FileChannel channel = FileChannel.open(files.get(i), StandardOpenOption.READ)) {
        if (!readAvailable(channel, assembler, true)) {
          return;
        }
      } catch (NoSuchFileException e) {
        // rotated away and deleted while we read: skip it
      }
    }
    FileChannel channel = FileChannel.open(current, StandardOpenOption.READ);
    Object fileKey = fileKey(current);
    try {
      if (!readAvailable(channel, assembler, !options.follow())) {
        return;
      }
      if (!options.follow()) {
        assembler.flushPartial();
      }
      if (tail != null) {
        for (LogicalLine line : tail) {
          if (!out.write(line)) {
            return;
          }
        }
        tail.clear();
      }
      if (!options.follow()) {
        return;
      }
      // the tail buffer is emptied: from now on every line goes straight out
      Assembler live =
          new Assembler(
              line ->
                  (options.since() != null && line.timestamp().isBefore(options.since()))
                      || out.write(line));
      live.pending.putAll(assembler.pending);
      while (true) {
        if (!readAvailable(channel, live, false)) {
          return;
        }
        Object keyNow = fileKey(current);
        if (keyNow != null && !keyNow.equals(fileKey)) {
          // rotated: the old file is read to its end, continue with the new one from its start
          if (!readAvailable(channel, live, false)) {
            return;
          }
          channel.close();
          channel = FileChannel.open(current, StandardOpenOption.READ);
          fileKey = keyNow;
          continue;
        }
        if (!running.getAsBoolean()) {
          readAvailable(channel, live, true);
          live.flushPartial();
          return;
        }
        Thread.sleep(pollInterval);
      }
    } finally {
      channel.close();
    }
  }

  /** The index of the oldest file the tail and since options need (the current one at least). */
  static int firstFileNeeded(List<Path> files, ContainerLogOptions options) throws IOException {
    int last = files.size() - 1;
    if (options.tailLines() < 0 && options.since() == null) {
      return last;
    }
    int forTail = 0;
    if (options.tailLines() >= 0) {
      forTail = last;
      long lines = 0;
      for (int i = last; i >= 0; i--) {
        lines += completeLines(files.get(i));
        forTail = i;
        if (lines >= options.tailLines()) {
          break;
        }
      }
    }
    int forSince = 0;
    if (options.since() != null) {
      forSince = last;
      for (int i = last; i >= 0; i--) {
        forSince = i;
        Instant first = firstTimestamp(files.get(i));
        if (first != null && !first.isAfter(options.since())) {
          break;
        }
      }
    }
    return Math.max(forTail, forSince);
  }

  private static long completeLines(Path file) throws IOException {
    long count = 0;
    try (var lines = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String line;
      while ((line = lines.readLine()) != null) {
        CriLogLine parsed =
            CriLogLine.parse(line.getBytes(StandardCharsets.ISO_8859_1), line.length());
        if (parsed != null && !parsed.partial()) {
          count++;
        }
      }
    } catch (NoSuchFileException e) {
      return 0;
    }
    return count;
  }

  private static Instant firstTimestamp(Path file) throws IOException {
    try (var lines = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      String line = lines.readLine();
      if (line == null) {
        return null;
      }
      CriLogLine parsed =
          CriLogLine.parse(line.getBytes(StandardCharsets.ISO_8859_1), line.length());
      return parsed == null ? null : parsed.timestamp();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Reads whole lines from the channel's position to its end; with {@code toEnd} a last line
   * without newline counts too, otherwise the position stays before it until the runtime finishes
   * it. False when the output wants no more.
   */
  private static boolean readAvailable(FileChannel channel, Assembler assembler, boolean toEnd)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    long lineStart = channel.position();
    while (true) {
      buffer.clear();
      int n = channel.read(buffer);
      if (n <= 0) {
        break;
      }
      buffer.flip();
      while (buffer.hasRemaining()) {
        byte b = buffer.get();
        if (b == '\n') {
          lineStart += line.size() + 1;
          if (!assembler.accept(line.toByteArray())) {
            return false;
          }
          line.reset();
        } else {
          line.write(b);
        }
      }
    }
    if (line.size() > 0) {
      if (toEnd) {
        return assembler.accept(line.toByteArray());
      }
      channel.position(lineStart);
    }
    return true;
  }

  /** A complete line of output: the time of its first part and its text with newline. */
  record LogicalLine(Instant timestamp, byte[] text) {}

  private interface LineConsumer {
    /** False when no more output is wanted. */
    boolean accept(LogicalLine line) throws IOException;
  }

  /** Joins partial lines per stream (stdout and stderr interleave). */
  private static final class Assembler {
    final Map<String, Partial> pending = new HashMap<>();
    final LineConsumer consumer;

    Assembler(LineConsumer consumer) {
      this.consumer = consumer;
    }

    boolean accept(byte[] raw) throws IOException {
      CriLogLine line = CriLogLine.parse(raw, raw.length);
      if (line == null) {
        return true;
      }
      Partial partial = pending.get(line.stream());
      if (line.partial()) {
        if (partial == null) {
          pending.put(line.stream(), partial = new Partial(line.timestamp()));
        }
        partial.text.writeBytes(line.content());
        return true;
      }
      Instant timestamp = line.timestamp();
      ByteArrayOutputStream text = new ByteArrayOutputStream(line.content().length + 1);
      if (partial != null) {
        pending.remove(line.stream());
        timestamp = partial.timestamp;
        text.writeBytes(partial.text.toByteArray());
      }
      text.writeBytes(line.content());
      text.write('\n');
      return consumer.accept(new LogicalLine(timestamp, text.toByteArray()));
    }

    /** At the end of the log, unfinished partial lines are shown as they are. */
    void flushPartial() throws IOException {
      for (Partial partial : List.copyOf(pending.values())) {
        if (!consumer.accept(new LogicalLine(partial.timestamp, partial.text.toByteArray()))) {
          break;
        }
      }
      pending.clear();
    }
  }

  private static final class Partial {
    final Instant timestamp;
    final ByteArrayOutputStream text = new ByteArrayOutputStream();

    Partial(Instant timestamp) {
      this.timestamp = timestamp;
    }
  }

  /** Applies timestamps and the byte limit. */
  private static final class Output {
    private final ContainerLogOptions options;
    private final LogSink sink;
    private long remaining;

    Output(ContainerLogOptions options, LogSink sink) {
      this.options = options;
      this.sink = Objects.requireNonNull(sink);
      this.remaining = options.limitBytes() > 0 ? options.limitBytes() : Long.MAX_VALUE;
    }

    boolean write(LogicalLine line) throws IOException {
      if (options.timestamps()) {
        byte[] prefix = (formatTimestamp(line.timestamp()) + " ").getBytes(StandardCharsets.UTF_8);
        if (!emit(prefix)) {
          return false;
        }
      }
      return emit(line.text());
    }

    private boolean emit(byte[] bytes) throws IOException {
      int length = (int) Math.min(bytes.length, remaining);
      if (length > 0) {
        sink.write(bytes, 0, length);
      }
      remaining -= length;
      return remaining > 0;
    }
  }

  /** RFC 3339 with nanoseconds and trailing zeros trimmed, as Go's time.RFC3339Nano prints. */
  public static String formatTimestamp(Instant instant) {
    StringBuilder text = new StringBuilder(SECONDS.format(instant));
    int nanos = instant.getNano();
    if (nanos != 0) {
      String fraction = String.format("%09d", nanos);
      int end = fraction.length();
      while (fraction.charAt(end - 1) == '0') {
        end--;
      }
      text.append('.').append(fraction, 0, end);
    }
    return text.append('Z').toString();
  }
}
