package dev.skiff.apiserver.audit;

import dev.skiff.api.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log file ({@code --audit-log-path}): one JSON event per line, appended by one writer
 * thread so that the request path (the Netty event loop) never waits on the disk. When a line would
 * take the file beyond the size limit, the file is renamed to {@code <name>-<UTC time>.<ext>} (as
 * kube-apiserver's log backend names its backups), a new one is started, and backups beyond the
 * limit are deleted, oldest first. Events that arrive while the queue is full are dropped and
 * counted in the server log.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final int QUEUE = 10_000;
  private static final DateTimeFormatter BACKUP_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS").withZone(ZoneOffset.UTC);
  private static final Supplier<AuditEvent> STOP = () -> null;

  private final Path path;
  private final long maxBytes;
  private final int maxBackups;
  private final InstantSource clock;
  private final BlockingQueue<Supplier<AuditEvent>> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong dropped = new AtomicLong();
  private final Thread writer;
  private OutputStream out;
  private long size;
  private volatile boolean closed;

  AuditLog(Path path, long maxBytes, int maxBackups, InstantSource clock) {
    this.path = path.toAbsolutePath();
    this.maxBytes = maxBytes;
    this.maxBackups = maxBackups;
    this.clock = clock;
    try {
      if (this.path.getParent() != null) {
        Files.createDirectories(this.path.getParent());
      }
      openFile();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the audit log " + path + ": " + e.getMessage(), e);
    }
    writer = Thread.ofPlatform().daemon().name("audit-log").start(this::drain);
  }

  /** Opens (creating or appending to) the file the options name. */
  /** The time on the log's clock: what events' timestamps are read from. */
  public Instant now() {
    return clock.instant();
  }

  public static AuditLog open(AuditLogOptions options) {
    return new AuditLog(
        options.path(), options.maxSizeBytes(), options.maxBackups(), InstantSource.system());
  }

  /** Queues one event; never blocks. */
  public void write(AuditEvent event) {
    write(() -> event);
  }

  /**
   * Queues an event that the writer thread builds (so that its parsing and serializing stay off the
   * caller's thread, the event loop); never blocks.
   */
  public void write(Supplier<AuditEvent> event) {
    if (closed) {
      return;
    }
    if (!queue.offer(event)) {
      long count = dropped.incrementAndGet();
      if (Long.bitCount(count) == 1) {
        log.warn("event=audit_events_dropped count={} reason=queue_full", count);
      }
    }
  }

  private void openFile() throws IOException {
    if (!Files.exists(path)) {
      // who did what from where: readable by the server's user only
      Files.createFile(
          path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    out =
        Files.newOutputStream(
            path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    size = Files.size(path);
  }

  private void drain() {
    List<Supplier<AuditEvent>> batch = new ArrayList<>();
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch);
      boolean stop = false;
      for (Supplier<AuditEvent> event : batch) {
        if (event == STOP) {
          stop = true;
          break;
        }
        try {
          append(line(event));
        } catch (RuntimeException e) {
          log.warn("event=audit_event_failed reason=\"{}\"", e.toString());
        }
      }
      batch.clear();
      try {
        out.flush();
      } catch (IOException e) {
        log.warn("event=audit_write_failed file={} reason=\"{}\"", path, e.getMessage());
      }
      if (stop) {
        return;
      }
    }
  }

  private static byte[] line(Supplier<AuditEvent> event) {
    byte[] json = Json.bytes(event.get().toJson());
    byte[] line = new byte[json.length + 1];
    System.arraycopy(json, 0, line, 0, json.length);
    line[json.length] = '\n';
    return line;
  }

  private void append(byte[] line) {
    try {
      if (maxBytes > 0 && size > 0 && size + line.length > maxBytes) {
        rotate();
      }
      out.write(line);
      size += line.length;
    } catch (IOException e) {
      log.warn("event=audit_write_failed file={} reason=\"{}\"", path, e.getMessage());
    }
  }

  private void rotate() throws IOException {
    out.close();
    String name = path.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot <= 0 ? name : name.substring(0, dot);
    String extension = dot <= 0 ? "" : name.substring(dot);
    Path backup = path.resolveSibling(base + "-" + BACKUP_TIME.format(clock.instant()) + extension);
    for (int n = 1; Files.exists(backup); n++) {
      backup =
          path.resolveSibling(
              base + "-" + BACKUP_TIME.format(clock.instant()) + "." + n + extension);
    }
    Files.move(path, backup);
    openFile();
    if (maxBackups > 0) {
      pruneBackups(base, extension);
    }
  }

  private void pruneBackups(String base, String extension) throws IOException {
    List<Path> backups;
    try (Stream<Path> siblings = Files.list(path.getParent())) {
      backups =
          siblings
              .filter(
                  p -> {
                    String file = p.getFileName().toString();
                    return !p.equals(path)
                        && file.startsWith(base + "-")
                        && file.endsWith(extension);
                  })
              .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
              .toList();
    }
    for (Path old : backups.subList(Math.min(maxBackups, backups.size()), backups.size())) {
      Files.deleteIfExists(old);
    }
  }

  /** Writes what is queued, then closes the file. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue.put(STOP);
      writer.join(TimeUnit.SECONDS.toMillis(5));
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("event=audit_close_failed file={} reason=\"{}\"", path, e.getMessage());
    }
  }
}
