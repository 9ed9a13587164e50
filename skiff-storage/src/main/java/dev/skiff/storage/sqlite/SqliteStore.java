package dev.skiff.storage.sqlite;

import dev.skiff.storage.Compacted;
import dev.skiff.storage.KeyExists;
import dev.skiff.storage.KeyNotFound;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.RevisionConflict;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreException;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import dev.skiff.storage.internal.KeyRanges;
import dev.skiff.storage.internal.LocalWatch;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Store} in one SQLite file, the embedded default. The schema is kine's idea: one row per
 * revision ({@code id} is the revision) holding the key, its value, its create revision, the
 * revision of the value it replaced and a deleted flag, so history is kept until compacted.
 *
 * <p><b>Group commit.</b> Writers enqueue their write and wait; one writer thread takes every
 * pending write, checks and applies them in one transaction, commits once, publishes the watch
 * events in revision order and then completes each caller. Create and compare-and-swap checks run
 * against an in-memory index of live keys ({@code key -> (createRevision, modRevision)}) that only
 * the writer thread touches.
 *
 * <p><b>Durability.</b> WAL journal with {@code synchronous=FULL}: each commit fsyncs the WAL, so
 * an acknowledged write survives a process kill and a power loss; group commit pays that fsync once
 * per batch. ({@code NORMAL} would survive {@code kill -9} too, but not power loss.)
 *
 * <p>Reads use a small pool of their own connections, which WAL lets run beside the writer. One
 * process owns a database file at a time (an OS file lock beside it enforces that).
 */
public final class SqliteStore implements Store {
  private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

  /** A watch whose undelivered events exceed this is ended. */
  public static final int DEFAULT_MAX_QUEUED_EVENTS = 100_000;

  private static final int READERS = 4;
  private static final int MAX_BATCH = 1024;
  private static final int REPLAY_PAGE = 1000;
  private static final String COMPACTED = "compacted_revision";

  private final Path file;
  private final int maxQueuedEvents;
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final Connection writer;
  private final BlockingQueue<Reader> readers = new ArrayBlockingQueue<>(READERS);
  private final LinkedBlockingQueue<Write> pending = new LinkedBlockingQueue<>();
  private final Map<String, Live> index = new HashMap<>();
  private final Set<LocalWatch> watches = ConcurrentHashMap.newKeySet();
  private final ReentrantLock publishLock = new ReentrantLock();
  private final AtomicLong transactions = new AtomicLong();
  private final Thread writerThread;
  private volatile long committedRevision;
  private volatile long compactedRevision;
  private volatile boolean closed;
  private volatile StoreUnavailable writerFailure;

  /** The create and mod revision of a live key. */
  private record Live(long createRevision, long modRevision) {}

  private sealed interface Write {
    CompletableFuture<Long> result();
  }

  private record Create(String key, byte[] value, CompletableFuture<Long> result)
      implements Write {}

  private record Update(String key, byte[] value, long expected, CompletableFuture<Long> result)
      implements Write {}

  private record Delete(String key, long expected, CompletableFuture<Long> result)
      implements Write {}

  private record Compact(long revision, CompletableFuture<Long> result) implements Write {}

  private record Close(CompletableFuture<Long> result) implements Write {}

  /**
   * Opens (creating if needed) the database at {@code file}; fails fast with {@link
   * StoreUnavailable} and a one-line message when it cannot be created, written or locked.
   */
  public SqliteStore(Path file) {
    this(file, DEFAULT_MAX_QUEUED_EVENTS);
  }

  SqliteStore(Path file, int maxQueuedEvents) {
    this.file = file.toAbsolutePath();
    this.maxQueuedEvents = maxQueuedEvents;
    try {
      Files.createDirectories(this.file.getParent());
    } catch (IOException e) {
      throw new StoreUnavailable(
          "cannot create the sqlite directory " + this.file.getParent() + ": " + e, e);
    }
    Path lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    try {
      lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StoreUnavailable("cannot write the sqlite lock file " + lockFile + ": " + e, e);
    }
    Connection opened = null;
    try {
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        throw new StoreUnavailable(
            "the sqlite database " + this.file + " is in use by another store", null);
      }
      fileLock = lock;
      opened = connect();
      initSchema(opened);
      writer = opened;
      writer.setAutoCommit(false);
      load();
      for (int i = 0; i < READERS; i++) {
        readers.add(new Reader(connect()));
      }
    } catch (SQLException | IOException | RuntimeException e) {
      closeQuietly(opened);
      readers.forEach(reader -> closeQuietly(reader.connection));
      try {
        lockChannel.close();
      } catch (IOException ignored) {
        // already failing
      }
      if (e instanceof StoreUnavailable unavailable) {
        throw unavailable;
      }
      throw new StoreUnavailable(
          "cannot open the sqlite database " + this.file + ": " + oneLine(e), e);
    }
    writerThread = Thread.ofPlatform().name("sqlite-writer").daemon().start(this::writeLoop);
  }

  /** The number of write transactions committed; group commit keeps it below the writes. */
  public long transactionCount() {
    return transactions.get();
  }

  public Path file() {
    return file;
  }

  @Override
  public long create(String key, byte[] value) {
    return submit(new Create(key, value.clone(), new CompletableFuture<>()));
  }

  @Override
  public long update(String key, byte[] value, long expectedModRevision) {
    return submit(new Update(key, value.clone(), expectedModRevision, new CompletableFuture<>()));
  }

  @Override
  public long delete(String key, long expectedModRevision) {
    return submit(new Delete(key, expectedModRevision, new CompletableFuture<>()));
  }

  @Override
  public void compact(long revision) {
    submit(new Compact(revision, new CompletableFuture<>()));
  }

  @Override
  public long currentRevision() {
    checkOpen();
    return committedRevision;
  }

  @Override
  public Optional<KeyValue> get(String key) {
    return read(
        reader -> {
          PreparedStatement select =
              reader.prepare(
                  "SELECT id, value, create_revision, deleted FROM kv WHERE key = ?"
                      + " ORDER BY id DESC LIMIT 1");
          select.setString(1, key);
          try (ResultSet rows = select.executeQuery()) {
            if (!rows.next() || rows.getInt(4) != 0) {
              return Optional.empty();
            }
            return Optional.of(
                new KeyValue(key, rows.getBytes(2), rows.getLong(3), rows.getLong(1)));
          }
        });
  }

  @Override
  public RangeResult range(String prefix, long atRevision, String afterKey, int limit) {
    long current = committedRevision;
    long rev = atRevision == 0 ? current : atRevision;
    if (rev > current) {
      throw new IllegalArgumentException(
          "revision " + rev + " is in the future (current: " + current + ")");
    }
    checkNotCompacted(rev);
    String end = KeyRanges.prefixEnd(prefix);
    boolean after = afterKey != null && afterKey.compareTo(prefix) >= 0;
    String sql =
        "SELECT key, value, create_revision, id FROM kv k WHERE key >= ?"
            + (end == null ? "" : " AND key < ?")
            + (after ? " AND key > ?" : "")
            + " AND id <= ? AND deleted = 0"
            + " AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.key = k.key AND n.id > k.id AND n.id <= ?)"
            + " ORDER BY key"
            + (limit > 0 ? " LIMIT ?" : "");
    RangeResult result =
        read(
            reader -> {
              PreparedStatement select = reader.prepare(sql);
              int i = 1;
              select.setString(i++, prefix);
              if (end != null) {
                select.setString(i++, end);
              }
              if (after) {
                select.setString(i++, afterKey);
              }
              select.setLong(i++, rev);
              select.setLong(i++, rev);
              if (limit > 0) {
                select.setInt(i, limit + 1);
              }
              List<KeyValue> items = new ArrayList<>();
              boolean more = false;
              try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                  if (limit > 0 && items.size() == limit) {
                    more = true;
                    break;
                  }
                  items.add(
                      new KeyValue(
                          rows.getString(1), rows.getBytes(2), rows.getLong(3), rows.getLong(4)));
                }
              }
              return new RangeResult(items, rev, more);
            });
    // a compaction that committed while we read may have removed rows we needed
    checkNotCompacted(rev);
    return result;
  }

  @Override
  public Watch watch(String prefix, long afterRevision, Consumer<WatchEvent> listener) {
    // registration and publishing share one lock, so the watch replays exactly up to liveFrom
    // from the table and receives every later event live: no gap, no duplicate
    publishLock.lock();
    try {
      checkOpen();
      if (afterRevision < compactedRevision) {
        throw new Compacted(afterRevision, compactedRevision);
      }
      long liveFrom = committedRevision;
      LocalWatch[] self = new LocalWatch[1];
      LocalWatch watch =
          new LocalWatch(
              prefix,
              Math.max(afterRevision, liveFrom),
              listener,
              maxQueuedEvents,
              () -> watches.remove(self[0]));
      self[0] = watch;
      watches.add(watch);
      LocalWatch.Replay replay =
          afterRevision < liveFrom
              ? sink -> replay(prefix, afterRevision, liveFrom, sink)
              : LocalWatch.Replay.NONE;
      return watch.start(replay);
    } finally {
      publishLock.unlock();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    CompletableFuture<Long> stopped = new CompletableFuture<>();
    pending.add(new Close(stopped));
    try {
      writerThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List.copyOf(watches).forEach(LocalWatch::close);
    for (int i = 0; i < READERS; i++) {
      try {
        closeQuietly(readers.take().connection);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    closeQuietly(writer);
    try {
      fileLock.release();
      lockChannel.close();
    } catch (IOException e) {
      log.warn("event=sqlite_unlock_failed file={} error={}", file, e.toString());
    }
  }

  // ---- writes: one thread, one transaction per batch ----

  private long submit(Write write) {
    checkOpen();
    pending.add(write);
    if (closed) {
      // close() may have drained the queue already; fail rather than wait forever
      write.result().completeExceptionally(new StoreUnavailable("store is closed", null));
    }
    if (writerFailure != null) {
      write.result().completeExceptionally(writerFailure);
    }
    try {
      return write.result().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreException storeException) {
        throw storeException;
      }
      if (e.getCause() instanceof IllegalArgumentException invalid) {
        throw new IllegalArgumentException(invalid.getMessage(), invalid);
      }
      throw new StoreUnavailable("sqlite write failed: " + oneLine(e.getCause()), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailable("interrupted while waiting for a sqlite write", e);
    }
  }

  private void writeLoop() {
    try {
      writeBatches();
    } catch (RuntimeException | Error e) {
      // a bug, not a database error (those fail one batch): refuse further writes loudly
      log.error("event=sqlite_writer_died file={} error={}", file, e.toString(), e);
      StoreUnavailable failure = new StoreUnavailable("sqlite writer failed: " + e, e);
      writerFailure = failure;
      List<Write> rest = new ArrayList<>();
      pending.drainTo(rest);
      rest.forEach(w -> w.result().completeExceptionally(failure));
      throw e;
    }
  }

  private void writeBatches() {
    List<Write> batch = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        batch.add(pending.take());
      } catch (InterruptedException e) {
        break;
      }
      pending.drainTo(batch, MAX_BATCH - 1);
      Close close = null;
      List<Write> writes = new ArrayList<>(batch.size());
      for (Write write : batch) {
        if (write instanceof Close c) {
          close = c;
        } else {
          writes.add(write);
        }
      }
      batch.clear();
      runBatch(writes);
      if (close != null) {
        List<Write> rest = new ArrayList<>();
        pending.drainTo(rest);
        rest.forEach(
            w -> w.result().completeExceptionally(new StoreUnavailable("store is closed", null)));
        close.result().complete(0L);
        return;
      }
    }
  }

  /** What one batch did, applied to the shared state only after its commit. */
  private final class Batch {
    final Map<String, Live> changes = new HashMap<>(); // null value: deleted in this batch
    final List<WatchEvent> events = new ArrayList<>();
    final List<Runnable> completions = new ArrayList<>();
    long revision = committedRevision;
    long compactTo = -1;

    Live live(String key) {
      return changes.containsKey(key) ? changes.get(key) : index.get(key);
    }
  }

  private void runBatch(List<Write> writes) {
    if (writes.isEmpty()) {
      return;
    }
    Batch batch = new Batch();
    long compactedBefore = compactedRevision;
    try (PreparedStatement insert =
        writer.prepareStatement(
            "INSERT INTO kv(id, key, value, create_revision, prev_revision, deleted)"
                + " VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Write write : writes) {
        try {
          long revision = apply(write, batch, insert);
          batch.completions.add(() -> write.result().complete(revision));
        } catch (StoreException | IllegalArgumentException e) {
          batch.completions.add(() -> write.result().completeExceptionally(e));
        }
      }
      if (batch.revision != committedRevision || batch.compactTo >= 0) {
        writer.commit();
        transactions.incrementAndGet();
      } else {
        writer.rollback();
      }
    } catch (SQLException | RuntimeException e) {
      compactedRevision = compactedBefore;
      try {
        writer.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      log.error("event=sqlite_commit_failed file={} error={}", file, oneLine(e));
      StoreUnavailable failure = new StoreUnavailable("sqlite write failed: " + oneLine(e), e);
      writes.forEach(w -> w.result().completeExceptionally(failure));
      return;
    }
    batch.changes.forEach(
        (key, live) -> {
          if (live == null) {
            index.remove(key);
          } else {
            index.put(key, live);
          }
        });
    publishLock.lock();
    try {
      committedRevision = batch.revision;
      for (WatchEvent event : batch.events) {
        for (LocalWatch watch : watches) {
          watch.offer(event);
        }
      }
    } finally {
      publishLock.unlock();
    }
    batch.completions.forEach(Runnable::run);
  }

  private long apply(Write write, Batch batch, PreparedStatement insert) throws SQLException {
    switch (write) {
      case Create c -> {
        Live live = batch.live(c.key());
        if (live != null) {
          throw new KeyExists(c.key());
        }
        long rev = ++batch.revision;
        insert(insert, rev, c.key(), c.value(), rev, 0, false);
        batch.changes.put(c.key(), new Live(rev, rev));
        batch.events.add(
            new WatchEvent(WatchEvent.Type.PUT, new KeyValue(c.key(), c.value(), rev, rev), null));
        return rev;
      }
      case Update u -> {
        KeyValue previous = checkExpected(u.key(), u.expected(), batch);
        long rev = ++batch.revision;
        insert(
            insert,
            rev,
            u.key(),
            u.value(),
            previous.createRevision(),
            previous.modRevision(),
            false);
        batch.changes.put(u.key(), new Live(previous.createRevision(), rev));
        batch.events.add(
            new WatchEvent(
                WatchEvent.Type.PUT,
                new KeyValue(u.key(), u.value(), previous.createRevision(), rev),
                previous));
        return rev;
      }
      case Delete d -> {
        KeyValue previous = checkExpected(d.key(), d.expected(), batch);
        long rev = ++batch.revision;
        insert(insert, rev, d.key(), null, 0, previous.modRevision(), true);
        batch.changes.put(d.key(), null);
        batch.events.add(
            new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(d.key(), null, 0, rev), previous));
        return rev;
      }
      case Compact c -> {
        compactTable(c.revision(), batch);
        return c.revision();
      }
      case Close c -> throw new IllegalStateException("close is not a write");
    }
  }

  private KeyValue checkExpected(String key, long expected, Batch batch) throws SQLException {
    Live live = batch.live(key);
    if (live == null) {
      throw new KeyNotFound(key);
    }
    KeyValue current = readRevision(key, live);
    if (expected != 0 && live.modRevision() != expected) {
      throw new RevisionConflict(key, current);
    }
    return current;
  }

  private KeyValue readRevision(String key, Live live) throws SQLException {
    try (PreparedStatement select = writer.prepareStatement("SELECT value FROM kv WHERE id = ?")) {
      select.setLong(1, live.modRevision());
      try (ResultSet rows = select.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException(
              "row " + live.modRevision() + " of live key " + key + " is missing");
        }
        return new KeyValue(key, rows.getBytes(1), live.createRevision(), live.modRevision());
      }
    }
  }

  private static void insert(
      PreparedStatement insert,
      long id,
      String key,
      byte[] value,
      long createRevision,
      long prevRevision,
      boolean deleted)
      throws SQLException {
    insert.setLong(1, id);
    insert.setString(2, key);
    insert.setBytes(3, value);
    insert.setLong(4, createRevision);
    insert.setLong(5, prevRevision);
    insert.setInt(6, deleted ? 1 : 0);
    insert.executeUpdate();
  }

  private void compactTable(long revision, Batch batch) throws SQLException {
    long current = Math.max(batch.compactTo, compactedRevision);
    if (revision <= current) {
      return;
    }
    if (revision > batch.revision) {
      throw new IllegalArgumentException(
          "cannot compact to revision " + revision + " beyond the current " + batch.revision);
    }
    // announce before the rows go, so a concurrent reader that misses them notices
    compactedRevision = revision;
    try (PreparedStatement superseded =
            writer.prepareStatement(
                "DELETE FROM kv WHERE id <= ? AND EXISTS (SELECT 1 FROM kv n"
                    + " WHERE n.key = kv.key AND n.id > kv.id AND n.id <= ?)");
        PreparedStatement tombstones =
            writer.prepareStatement("DELETE FROM kv WHERE id <= ? AND deleted = 1");
        PreparedStatement remember =
            writer.prepareStatement(
                "INSERT INTO meta(name, value) VALUES (?, ?)"
                    + " ON CONFLICT(name) DO UPDATE SET value = excluded.value")) {
      superseded.setLong(1, revision);
      superseded.setLong(2, revision);
      superseded.executeUpdate();
      tombstones.setLong(1, revision);
      tombstones.executeUpdate();
      remember.setString(1, COMPACTED);
      remember.setLong(2, revision);
      remember.executeUpdate();
    }
    batch.compactTo = revision;
  }

  // ---- watch replay ----

  private void replay(String prefix, long afterRevision, long upTo, Consumer<WatchEvent> sink) {
    String end = KeyRanges.prefixEnd(prefix);
    String sql =
        "SELECT k.id, k.key, k.value, k.create_revision, k.deleted, k.prev_revision,"
            + " p.value, p.create_revision"
            + " FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision"
            + " WHERE k.key >= ?"
            + (end == null ? "" : " AND k.key < ?")
            + " AND k.id > ? AND k.id <= ? ORDER BY k.id LIMIT "
            + REPLAY_PAGE;
    long from = afterRevision;
    while (from < upTo) {
      long pageFrom = from;
      List<WatchEvent> page =
          read(
              reader -> {
                PreparedStatement select = reader.prepare(sql);
                int i = 1;
                select.setString(i++, prefix);
                if (end != null) {
                  select.setString(i++, end);
                }
                select.setLong(i++, pageFrom);
                select.setLong(i, upTo);
                List<WatchEvent> events = new ArrayList<>();
                try (ResultSet rows = select.executeQuery()) {
                  while (rows.next()) {
                    events.add(toEvent(rows));
                  }
                }
                return events;
              });
      // rows this page needed may have been compacted away while it was read
      if (compactedRevision > pageFrom) {
        throw new Compacted(pageFrom, compactedRevision);
      }
      page.forEach(sink);
      from = page.size() < REPLAY_PAGE ? upTo : page.getLast().revision();
    }
  }

  private static WatchEvent toEvent(ResultSet rows) throws SQLException {
    long id = rows.getLong(1);
    String key = rows.getString(2);
    boolean deleted = rows.getInt(5) != 0;
    long prevRevision = rows.getLong(6);
    KeyValue previous =
        prevRevision == 0
            ? null
            : new KeyValue(key, rows.getBytes(7), rows.getLong(8), prevRevision);
    if (deleted) {
      return new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(key, null, 0, id), previous);
    }
    return new WatchEvent(
        WatchEvent.Type.PUT, new KeyValue(key, rows.getBytes(3), rows.getLong(4), id), previous);
  }

  // ---- reads ----

  /** A read connection with its prepared statements, used by one caller at a time. */
  private static final class Reader {
    final Connection connection;
    final Map<String, PreparedStatement> statements = new HashMap<>();

    Reader(Connection connection) {
      this.connection = connection;
    }

    PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement statement = statements.get(sql);
      if (statement == null) {
        statement = connection.prepareStatement(sql);
        statements.put(sql, statement);
      }
      return statement;
    }
  }

  @FunctionalInterface
  private interface ReadAction<T> {
    T run(Reader reader) throws SQLException;
  }

  private <T> T read(ReadAction<T> action) {
    checkOpen();
    Reader reader;
    try {
      reader = readers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailable("interrupted while waiting for a sqlite reader", e);
    }
    try {
      return action.run(reader);
    } catch (SQLException e) {
      throw new StoreUnavailable("sqlite read failed: " + oneLine(e), e);
    } finally {
      readers.add(reader);
    }
  }

  private void checkNotCompacted(long revision) {
    long compacted = compactedRevision;
    if (revision < compacted) {
      throw new Compacted(revision, compacted);
    }
  }

  // ---- opening ----

  private Connection connect() throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA busy_timeout = 10000");
      statement.execute("PRAGMA journal_mode = WAL");
      statement.execute("PRAGMA synchronous = FULL");
    }
    return connection;
  }

  private static void initSchema(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS kv ("
              + "id INTEGER PRIMARY KEY, "
              + "key TEXT NOT NULL, "
              + "value BLOB, "
              + "create_revision INTEGER NOT NULL, "
              + "prev_revision INTEGER NOT NULL, "
              + "deleted INTEGER NOT NULL)");
      statement.execute("CREATE INDEX IF NOT EXISTS kv_key_id ON kv(key, id)");
      statement.execute(
          "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
    }
  }

  private void load() throws SQLException {
    try (Statement statement = writer.createStatement()) {
      try (ResultSet rows =
          statement.executeQuery("SELECT value FROM meta WHERE name = '" + COMPACTED + "'")) {
        compactedRevision = rows.next() ? rows.getLong(1) : 0;
      }
      try (ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(id), 0) FROM kv")) {
        rows.next();
        committedRevision = Math.max(rows.getLong(1), compactedRevision);
      }
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT key, create_revision, id FROM kv k WHERE deleted = 0"
                  + " AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.key = k.key AND n.id > k.id)")) {
        while (rows.next()) {
          index.put(rows.getString(1), new Live(rows.getLong(2), rows.getLong(3)));
        }
      }
    }
    writer.commit();
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreUnavailable("store is closed", null);
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException e) {
      log.warn("event=sqlite_close_failed error={}", e.toString());
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return message.replace('\n', ' ').strip();
  }
}
