package dev.skiff.storage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A running {@link Store#watch}; closing it stops delivery. */
public interface Watch extends AutoCloseable {
  @Override
  void close();

  /**
   * Completes when the watch has ended: normally once closed by the caller, exceptionally with the
   * {@link StoreException} that ended it otherwise ({@link Compacted} when history the watch still
   * needed was compacted, {@link StoreUnavailable} when the backend failed or the watcher fell too
   * far behind). A consumer restarts its watch (relisting on {@link Compacted}) when this fails.
   * The default, for simple test doubles, never completes; every store in this module overrides it.
   */
  default CompletionStage<Void> done() {
    return new CompletableFuture<>();
  }
}
