package dev.skiff.storage.etcd;

import dev.skiff.storage.Compacted;
import dev.skiff.storage.KeyExists;
import dev.skiff.storage.KeyNotFound;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.RevisionConflict;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreException;
import dev.skiff.storage.StoreOptions;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import dev.skiff.storage.internal.LocalWatch;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;

/**
 * A {@link Store} on a real etcd cluster through jetcd: etcd already has the revisioned KV, the
 * transactions for create-if-absent and compare-and-swap, watches from a revision and compaction,
 * so each method is one etcd request. Watch events are handed to a per-watch delivery thread so a
 * slow listener never stalls jetcd's threads.
 */
public final class EtcdStore implements Store {
  /** A watch whose undelivered events exceed this is ended. */
  public static final int DEFAULT_MAX_QUEUED_EVENTS = 100_000;

  private static final ByteSequence NUL = ByteSequence.from(new byte[] {0});

  private final String endpoints;
  private final Client client;
  private final KV kv;
  private final Duration timeout;
  private final Set<LocalWatch> watches = ConcurrentHashMap.newKeySet();
  private final AtomicLong knownCompactedRevision = new AtomicLong();
  private volatile boolean closed;

  /**
   * Connects to etcd at {@code endpoints} (http:// or https:// URIs) and checks that it answers,
   * failing fast with a one-line {@link StoreUnavailable} otherwise.
   */
  public EtcdStore(List<URI> endpoints, StoreOptions options) {
    this.endpoints = endpoints.stream().map(URI::toString).collect(Collectors.joining(","));
    this.timeout = options.timeout();
    ClientBuilder builder =
        Client.builder()
            .endpoints(endpoints.toArray(URI[]::new))
            .connectTimeout(timeout)
            .retryMaxDuration(timeout)
            // a list of many large objects is one response; gRPC's 4 MiB default is far too small
            .maxInboundMessageSize(Integer.MAX_VALUE);
    if (options.etcdTls() || endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()))) {
      try {
        builder.sslContext(
            ssl -> {
              if (options.etcdCaFile() != null) {
                ssl.trustManager(options.etcdCaFile().toFile());
              }
              if (options.etcdCertFile() != null) {
                ssl.keyManager(options.etcdCertFile().toFile(), options.etcdKeyFile().toFile());
              }
            });
      } catch (SSLException | RuntimeException e) {
        throw new StoreUnavailable(
            "cannot load the etcd TLS files: " + oneLine(e.getMessage(), e), e);
      }
    }
    this.client = builder.build();
    this.kv = client.getKVClient();
    try {
      currentRevision();
    } catch (StoreException e) {
      client.close();
      throw e;
    }
  }

  @Override
  public long create(String key, byte[] value) {
    ByteSequence k = bytes(key);
    TxnResponse response =
        await(
            kv.txn()
                .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
            0);
    if (!response.isSucceeded()) {
      throw new KeyExists(key);
    }
    return response.getHeader().getRevision();
  }

  @Override
  public Optional<KeyValue> get(String key) {
    GetResponse response = await(kv.get(bytes(key)), 0);
    return response.getKvs().stream().findFirst().map(EtcdStore::toKeyValue);
  }

  @Override
  public RangeResult range(String prefix, long revision, String afterKey, int limit) {
    ByteSequence start =
        afterKey != null && afterKey.compareTo(prefix) >= 0
            ? bytes(afterKey + "\0")
            : prefix.isEmpty() ? NUL : bytes(prefix);
    GetOption option =
        GetOption.builder()
            .withRange(prefixEnd(prefix))
            .withRevision(revision)
            .withLimit(limit)
            .build();
    GetResponse response = await(kv.get(start, option), revision);
    List<KeyValue> items = new ArrayList<>(response.getKvs().size());
    response.getKvs().forEach(item -> items.add(toKeyValue(item)));
    return new RangeResult(
        items, revision == 0 ? response.getHeader().getRevision() : revision, response.isMore());
  }

  @Override
  public long update(String key, byte[] value, long expectedModRevision) {
    ByteSequence k = bytes(key);
    TxnResponse response =
        await(
            kv.txn()
                .If(
                    new Cmp(k, Cmp.Op.GREATER, CmpTarget.createRevision(0)),
                    new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)))
                .Then(Op.put(k, ByteSequence.from(value), PutOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
            0);
    return succeededOrThrow(key, response);
  }

  @Override
  public long delete(String key, long expectedModRevision) {
    ByteSequence k = bytes(key);
    List<Cmp> conditions = new ArrayList<>();
    conditions.add(new Cmp(k, Cmp.Op.GREATER, CmpTarget.createRevision(0)));
    if (expectedModRevision != 0) {
      conditions.add(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedModRevision)));
    }
    TxnResponse response =
        await(
            kv.txn()
                .If(conditions.toArray(Cmp[]::new))
                .Then(Op.delete(k, DeleteOption.DEFAULT))
                .Else(Op.get(k, GetOption.DEFAULT))
                .commit(),
            0);
    return succeededOrThrow(key, response);
  }

  @Override
  public Watch watch(String prefix, long afterRevision, Consumer<WatchEvent> listener) {
    ByteSequence start = prefix.isEmpty() ? NUL : bytes(prefix);
    ByteSequence end = prefixEnd(prefix);
    // etcd reports a compacted start revision asynchronously; a range at that revision fails the
    // same way, synchronously, as this method promises
    try {
      await(
          kv.get(
              start,
              GetOption.builder()
                  .withRange(end)
                  .withCountOnly(true)
                  .withRevision(afterRevision + 1)
                  .build()),
          afterRevision);
    } catch (IllegalArgumentException future) {
      // a start revision in the future is fine for a watch: it waits for it
    }
    AtomicReference<io.etcd.jetcd.Watch.Watcher> watcher = new AtomicReference<>();
    LocalWatch[] self = new LocalWatch[1];
    LocalWatch watch =
        new LocalWatch(
            prefix,
            afterRevision,
            listener,
            DEFAULT_MAX_QUEUED_EVENTS,
            () -> {
              watches.remove(self[0]);
              io.etcd.jetcd.Watch.Watcher w = watcher.get();
              if (w != null) {
                w.close();
              }
            });
    self[0] = watch;
    watches.add(watch);
    watch.start(LocalWatch.Replay.NONE);
    WatchOption option =
        WatchOption.builder()
            .withRange(end)
            .withRevision(afterRevision + 1)
            .withPrevKV(true)
            .build();
    watcher.set(
        client
            .getWatchClient()
            .watch(
                start,
                option,
                io.etcd.jetcd.Watch.listener(
                    response -> deliver(response, watch),
                    error -> watch.fail(translateWatchError(error, afterRevision)),
                    () ->
                        watch.fail(
                            new StoreUnavailable("etcd ended the watch on " + prefix, null)))));
    if (watch.done().toCompletableFuture().isDone()) {
      watcher.get().close();
    }
    return watch;
  }

  @Override
  public void compact(long revision) {
    if (revision <= knownCompactedRevision.get()) {
      return;
    }
    try {
      await(kv.compact(revision, CompactOption.builder().withCompactPhysical(true).build()), 0);
    } catch (Compacted alreadyCompacted) {
      // etcd refuses to compact to or below its compacted revision: nothing left to do
    }
    knownCompactedRevision.accumulateAndGet(revision, Math::max);
  }

  @Override
  public long currentRevision() {
    return await(kv.get(NUL, GetOption.builder().withCountOnly(true).build()), 0)
        .getHeader()
        .getRevision();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List.copyOf(watches).forEach(LocalWatch::close);
    client.close();
  }

  private void deliver(WatchResponse response, LocalWatch watch) {
    for (io.etcd.jetcd.watch.WatchEvent event : response.getEvents()) {
      io.etcd.jetcd.KeyValue item = event.getKeyValue();
      io.etcd.jetcd.KeyValue prev = event.getPrevKV();
      KeyValue previous = prev == null || prev.getModRevision() == 0 ? null : toKeyValue(prev);
      switch (event.getEventType()) {
        case PUT -> watch.offer(new WatchEvent(WatchEvent.Type.PUT, toKeyValue(item), previous));
        case DELETE ->
            watch.offer(
                new WatchEvent(
                    WatchEvent.Type.DELETE,
                    new KeyValue(string(item.getKey()), null, 0, item.getModRevision()),
                    previous));
        default -> {
          // UNRECOGNIZED: nothing a store can report
        }
      }
    }
  }

  private StoreException translateWatchError(Throwable error, long afterRevision) {
    if (error instanceof CompactedException compacted) {
      knownCompactedRevision.accumulateAndGet(compacted.getCompactedRevision(), Math::max);
      return new Compacted(afterRevision, compacted.getCompactedRevision());
    }
    RuntimeException translated = translate(error, afterRevision);
    return translated instanceof StoreException storeException
        ? storeException
        : new StoreUnavailable("etcd watch failed: " + oneLine(error.getMessage(), error), error);
  }

  private long succeededOrThrow(String key, TxnResponse response) {
    if (response.isSucceeded()) {
      return response.getHeader().getRevision();
    }
    List<io.etcd.jetcd.KeyValue> current =
        response.getGetResponses().isEmpty()
            ? List.of()
            : response.getGetResponses().get(0).getKvs();
    if (current.isEmpty()) {
      throw new KeyNotFound(key);
    }
    throw new RevisionConflict(key, toKeyValue(current.get(0)));
  }

  private <T> T await(CompletableFuture<T> future, long requestedRevision) {
    if (closed) {
      future.cancel(true);
      throw new StoreUnavailable("store is closed", null);
    }
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new StoreUnavailable("interrupted while waiting for etcd at " + endpoints, e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new StoreUnavailable(
          "etcd at " + endpoints + " did not answer within " + timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      throw translate(e.getCause(), requestedRevision);
    }
  }

  private RuntimeException translate(Throwable error, long requestedRevision) {
    while ((error instanceof CompletionException || error instanceof ExecutionException)
        && error.getCause() != null) {
      error = error.getCause();
    }
    String message = oneLine(error.getMessage(), error);
    // jetcd surfaces etcd's errors as EtcdException or as the raw gRPC status; the text is stable
    if (message.contains("required revision has been compacted")) {
      return new Compacted(requestedRevision, compactedRevision());
    }
    if (message.contains("required revision is a future revision")) {
      return new IllegalArgumentException(
          "revision " + requestedRevision + " is in the future of etcd at " + endpoints);
    }
    return new StoreUnavailable("etcd at " + endpoints + " is unavailable: " + message, error);
  }

  /**
   * etcd's compacted revision. Only a watch reports it, so a watch from revision 1 of one key asks;
   * this runs only after etcd said a revision was compacted, so the answer comes at once.
   */
  private long compactedRevision() {
    CompletableFuture<Long> answer = new CompletableFuture<>();
    io.etcd.jetcd.Watch.Watcher probe =
        client
            .getWatchClient()
            .watch(
                NUL,
                WatchOption.builder().withRevision(1).build(),
                io.etcd.jetcd.Watch.listener(
                    response -> {},
                    error -> {
                      if (error instanceof CompactedException compacted) {
                        answer.complete(compacted.getCompactedRevision());
                      } else {
                        answer.completeExceptionally(error);
                      }
                    }));
    try {
      long revision = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return knownCompactedRevision.accumulateAndGet(revision, Math::max);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return knownCompactedRevision.get();
    } catch (ExecutionException | TimeoutException e) {
      return knownCompactedRevision.get();
    } finally {
      probe.close();
    }
  }

  static ByteSequence prefixEnd(String prefix) {
    byte[] bytes = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] != (byte) 0xff) {
        byte[] end = Arrays.copyOf(bytes, i + 1);
        end[i]++;
        return ByteSequence.from(end);
      }
    }
    return NUL; // with key "\0", range_end "\0" means every key
  }

  private static KeyValue toKeyValue(io.etcd.jetcd.KeyValue item) {
    return new KeyValue(
        string(item.getKey()),
        item.getValue().getBytes(),
        item.getCreateRevision(),
        item.getModRevision());
  }

  private static ByteSequence bytes(String key) {
    return ByteSequence.from(key, StandardCharsets.UTF_8);
  }

  private static String string(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String oneLine(String message, Throwable error) {
    String text = message == null ? error.toString() : message;
    return text.replace('\n', ' ').strip();
  }
}
