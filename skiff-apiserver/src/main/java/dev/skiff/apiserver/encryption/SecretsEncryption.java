package dev.skiff.apiserver.encryption;

import dev.skiff.api.Json;
import dev.skiff.storage.KeyNotFound;
import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.RevisionConflict;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Encryption at rest ({@code skiff server --secrets-encryption}): the store seen by the API server
 * is a {@link TransformingStore} configured from {@code <data-dir>/cred/encryption-config.json}
 * (made with one fresh AES-GCM key on first start). Whenever the configuration changes — at start,
 * or while running when {@code skiff secrets-encrypt rotate} has written a new key into the file —
 * the server switches to it and rewrites every value not written with the current primary key, so
 * that old keys are only needed until that pass ends. Progress is recorded in {@code
 * <data-dir>/cred/encryption-state.json} for {@code skiff secrets-encrypt status}.
 */
public final class SecretsEncryption implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SecretsEncryption.class);

  /** Where the server records the rotation stage, under the data directory. */
  public static final String STATE_FILE = "cred/encryption-state.json";

  /** How often a running server looks at the configuration file. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);

  static final String STAGE_START = "start";
  static final String STAGE_REQUESTED = "reencrypt_request";
  static final String STAGE_FINISHED = "reencrypt_finished";

  private static final int PAGE = 500;

  private final Path dataDir;
  private final TransformingStore store;
  private final SecureRandom random;
  private final InstantSource clock;
  private byte[] loaded;
  private Thread poller;
  private volatile boolean closed;

  private SecretsEncryption(Path dataDir, Store raw, SecureRandom random, InstantSource clock) {
    this.dataDir = dataDir;
    this.store =
        new TransformingStore(raw, new TransformingStore.Transformers(Map.of()), this::close);
    this.random = random;
    this.clock = clock;
  }

  /**
   * Wraps {@code raw}, re-encrypts what the configuration's primary keys did not write, and follows
   * the configuration file every {@code pollInterval} (zero: only at {@link #reloadIfChanged}).
   */
  public static SecretsEncryption start(Path dataDir, Store raw, Duration pollInterval) {
    SecureRandom random = new SecureRandom();
    InstantSource clock = InstantSource.system();
    Path file = EncryptionConfig.path(dataDir);
    if (!Files.exists(file)) {
      EncryptionConfig.generate(EncryptionConfig.DEFAULT_RESOURCES, clock.instant(), random)
          .write(file);
      log.info("event=encryption_config_created file={}", file);
    }
    SecretsEncryption encryption = new SecretsEncryption(dataDir, raw, random, clock);
    encryption.reloadIfChanged();
    if (!pollInterval.isZero()) {
      encryption.poller =
          Thread.ofVirtual().name("encryption-config").start(() -> encryption.follow(pollInterval));
    }
    return encryption;
  }

  /** The store the API server uses; closing it stops following the configuration too. */
  public Store store() {
    return store;
  }

  private void follow(Duration interval) {
    while (!closed) {
      try {
        Thread.sleep(interval);
        reloadIfChanged();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("event=encryption_config_reload_failed reason=\"{}\"", e.getMessage());
      }
    }
  }

  /**
   * Applies the configuration file if it changed since it was last applied, then re-encrypts;
   * returns whether it changed. A bad file is refused with {@link IllegalArgumentException} and the
   * configuration in use stays.
   */
  public synchronized boolean reloadIfChanged() {
    Path file = EncryptionConfig.path(dataDir);
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (loaded != null && Arrays.equals(loaded, content)) {
      return false;
    }
    EncryptionConfig config = EncryptionConfig.read(file);
    Map<String, ValueTransformer> byPrefix = new LinkedHashMap<>();
    config
        .resources()
        .forEach(
            (resource, providers) ->
                byPrefix.put(
                    TransformingStore.Transformers.prefix(resource),
                    config.transformer(resource, random)));
    store.transformers(new TransformingStore.Transformers(byPrefix));
    loaded = content;
    String primary = config.primaryKeyName("secrets");
    writeState(STAGE_START, primary, -1);
    int rewritten = reencrypt();
    writeState(STAGE_FINISHED, primary, rewritten);
    log.info(
        "event=encryption_config_applied primary_key={} keys={} reencrypted={}",
        primary,
        config.keys("secrets").size(),
        rewritten);
    return true;
  }

  /** Rewrites every stale value with the current transformers; returns how many. */
  int reencrypt() {
    int rewritten = 0;
    Store raw = store.delegate();
    for (Map.Entry<String, ValueTransformer> entry : store.transformers().byPrefix().entrySet()) {
      String after = null;
      RangeResult page;
      do {
        page = raw.range(entry.getKey(), 0, after, PAGE);
        for (KeyValue kv : page.items()) {
          after = kv.key();
          if (rewrite(raw, kv, entry.getValue())) {
            rewritten++;
          }
        }
      } while (page.more());
    }
    return rewritten;
  }

  /** Rewrites one value if stale, retrying when it is written meanwhile. */
  private static boolean rewrite(Store raw, KeyValue kv, ValueTransformer transformer) {
    KeyValue current = kv;
    while (true) {
      ValueTransformer.Read read;
      try {
        read = transformer.fromStorage(current.value(), current.key());
      } catch (IllegalStateException e) {
        log.warn("event=reencrypt_skipped key={} reason=\"{}\"", current.key(), e.getMessage());
        return false;
      }
      if (!read.stale()) {
        return false;
      }
      try {
        raw.update(
            current.key(),
            transformer.toStorage(read.value(), current.key()),
            current.modRevision());
        return true;
      } catch (RevisionConflict e) {
        current = e.current();
        if (current == null) {
          Optional<KeyValue> now = raw.get(kv.key());
          if (now.isEmpty()) {
            return false;
          }
          current = now.get();
        }
      } catch (KeyNotFound e) {
        return false;
      } catch (StoreException e) {
        log.warn("event=reencrypt_failed key={} reason=\"{}\"", current.key(), e.getMessage());
        return false;
      }
    }
  }

  private void writeState(String stage, String primaryKey, int rewritten) {
    writeState(dataDir, stage, primaryKey, rewritten, clock);
  }

  private static void writeState(
      Path dataDir, String stage, String primaryKey, int rewritten, InstantSource clock) {
    ObjectNode state = Json.object();
    state.put("stage", stage);
    state.put("primaryKey", primaryKey);
    if (rewritten >= 0) {
      state.put("reencrypted", rewritten);
    }
    state.put("time", clock.instant().toString());
    Path file = dataDir.resolve(STATE_FILE);
    try {
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(temporary, Json.bytes(state));
      Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("event=encryption_state_not_written file={} reason=\"{}\"", file, e.getMessage());
    }
  }

  // ---- the command's side: skiff secrets-encrypt rotate / status

  /**
   * Adds a fresh key in front of the configuration's keys (the older ones stay, for reading) and
   * asks for re-encryption: a running server applies it within its poll interval, a stopped one at
   * its next start. Returns the new key's name.
   */
  public static String rotate(Path dataDir) {
    Path file = EncryptionConfig.path(dataDir);
    if (!Files.exists(file)) {
      throw new IllegalStateException(
          "no encryption configuration at "
              + file
              + " (start the server once with --secrets-encryption)");
    }
    InstantSource clock = InstantSource.system();
    EncryptionConfig.Key key = EncryptionConfig.Key.generate(clock.instant(), new SecureRandom());
    EncryptionConfig.read(file).withPrimaryKey(key).write(file);
    writeState(dataDir, STAGE_REQUESTED, key.name(), -1, clock);
    return key.name();
  }

  /**
   * What {@code skiff secrets-encrypt status} shows.
   *
   * @param enabled whether an encryption configuration exists
   * @param stage start, reencrypt_request or reencrypt_finished; "" when unknown
   * @param primaryKey the key secrets are encrypted with now, or null
   * @param keys every key's name, the primary first
   * @param reencrypted how many values the last pass rewrote, or -1
   */
  public record Status(
      boolean enabled, String stage, String primaryKey, List<String> keys, int reencrypted) {
    public Status {
      keys = List.copyOf(keys);
    }
  }

  public static Status status(Path dataDir) {
    Path file = EncryptionConfig.path(dataDir);
    if (!Files.exists(file)) {
      return new Status(false, "", null, List.of(), -1);
    }
    EncryptionConfig config = EncryptionConfig.read(file);
    String stage = "";
    int rewritten = -1;
    try {
      JsonNode state = Json.MAPPER.readTree(Files.readAllBytes(dataDir.resolve(STATE_FILE)));
      stage = state.path("stage").asString("");
      rewritten = state.path("reencrypted").asInt(-1);
    } catch (NoSuchFileException e) {
      // never applied by a server yet
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Status(
        true,
        stage,
        config.primaryKeyName("secrets"),
        config.keys("secrets").stream().map(EncryptionConfig.Key::name).toList(),
        rewritten);
  }

  @Override
  public void close() {
    closed = true;
    if (poller != null) {
      poller.interrupt();
    }
  }
}
