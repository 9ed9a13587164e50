package dev.skiff.controllers.runtime;

/**
 * A de-duplicating FIFO of keys with Kubernetes' semantics: a key added while queued is not queued
 * twice; a key added while it is being processed is queued again only after {@link #done}, so one
 * key is never processed by two workers at once.
 */
public interface WorkQueue<K> {
  void add(K item);

  /** Blocks until an item is available; returns null once the queue is shut down and drained. */
  K get() throws InterruptedException;

  void done(K item);

  int length();

  void shutDown();

  boolean shuttingDown();
}
