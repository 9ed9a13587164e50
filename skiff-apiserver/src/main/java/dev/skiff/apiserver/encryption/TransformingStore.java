package dev.skiff.apiserver.encryption;

import dev.skiff.storage.KeyValue;
import dev.skiff.storage.RangeResult;
import dev.skiff.storage.RevisionConflict;
import dev.skiff.storage.Store;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link Store} that transforms the values under some key prefixes on their way in and out, so
 * that everything above it (the generic registry, the watch cache, the security layer's mirrors)
 * sees plain objects while the backend keeps what the transformers make of them. Which prefixes and
 * how is one swappable {@link Transformers} value, replaced when the configuration changes.
 */
public final class TransformingStore implements Store {

  /**
   * Store key prefixes, e.g. {@code /registry/core/secrets/}, to the transformer of their values.
   */
  public record Transformers(Map<String, ValueTransformer> byPrefix) {
    public Transformers {
      byPrefix = Map.copyOf(byPrefix);
    }

    /** The transformer of {@code key}, or null when its values are stored as they are. */
    ValueTransformer of(String key) {
      for (Map.Entry<String, ValueTransformer> entry : byPrefix.entrySet()) {
        if (key.startsWith(entry.getKey())) {
          return entry.getValue();
        }
      }
      return null;
    }

    /** The store prefix of a resource named as EncryptionConfiguration names it. */
    public static String prefix(String resource) {
      int dot = resource.indexOf('.');
      return dot < 0
          ? "/registry/core/" + resource + "/"
          : "/registry/" + resource.substring(dot + 1) + "/" + resource.substring(0, dot) + "/";
    }
  }

  private final Store delegate;
  private final Runnable onClose;
  private volatile Transformers transformers;

  public TransformingStore(Store delegate, Transformers transformers) {
    this(delegate, transformers, () -> {});
  }

  /** A store that runs {@code onClose} (stopping what follows its configuration) when closed. */
  TransformingStore(Store delegate, Transformers transformers, Runnable onClose) {
    this.delegate = delegate;
    this.onClose = onClose;
    this.transformers = transformers;
  }

  /** Writes from now on use {@code next}; reads understand whatever it understands. */
  public void transformers(Transformers next) {
    this.transformers = next;
  }

  public Transformers transformers() {
    return transformers;
  }

  /** The store underneath, holding the transformed bytes. */
  public Store delegate() {
    return delegate;
  }

  private byte[] in(String key, byte[] value) {
    ValueTransformer transformer = transformers.of(key);
    return transformer == null ? value : transformer.toStorage(value, key);
  }

  private KeyValue out(KeyValue kv) {
    if (kv == null || kv.value() == null) {
      return kv;
    }
    ValueTransformer transformer = transformers.of(kv.key());
    if (transformer == null) {
      return kv;
    }
    try {
      return new KeyValue(
          kv.key(),
          transformer.fromStorage(kv.value(), kv.key()).value(),
          kv.createRevision(),
          kv.modRevision());
    } catch (IllegalStateException e) {
      throw new StoreUnavailable("cannot read " + kv.key() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long create(String key, byte[] value) {
    return delegate.create(key, in(key, value));
  }

  @Override
  public Optional<KeyValue> get(String key) {
    return delegate.get(key).map(this::out);
  }

  @Override
  public RangeResult range(String prefix, long revision, String afterKey, int limit) {
    RangeResult raw = delegate.range(prefix, revision, afterKey, limit);
    List<KeyValue> items = new ArrayList<>(raw.items().size());
    for (KeyValue kv : raw.items()) {
      items.add(out(kv));
    }
    return new RangeResult(items, raw.revision(), raw.more());
  }

  @Override
  public long update(String key, byte[] value, long expectedModRevision) {
    try {
      return delegate.update(key, in(key, value), expectedModRevision);
    } catch (RevisionConflict e) {
      throw new RevisionConflict(e.key(), out(e.current()));
    }
  }

  @Override
  public long delete(String key, long expectedModRevision) {
    try {
      return delegate.delete(key, expectedModRevision);
    } catch (RevisionConflict e) {
      throw new RevisionConflict(e.key(), out(e.current()));
    }
  }

  @Override
  public Watch watch(String prefix, long afterRevision, Consumer<WatchEvent> listener) {
    return delegate.watch(
        prefix,
        afterRevision,
        event ->
            listener.accept(new WatchEvent(event.type(), out(event.kv()), out(event.previous()))));
  }

  @Override
  public void compact(long revision) {
    delegate.compact(revision);
  }

  @Override
  public long currentRevision() {
    return delegate.currentRevision();
  }

  @Override
  public void close() {
    onClose.run();
    delegate.close();
  }
}
