package dev.skiff.controllers.runtime;

import java.time.Duration;

/** A {@link WorkQueue} that can add an item after a delay. */
public interface DelayingQueue<K> extends WorkQueue<K> {
  void addAfter(K item, Duration delay);
}
