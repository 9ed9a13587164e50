package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a controller has asked the API server to create and delete and not yet seen in its informer
 * cache, per controller key. Until its expectations are met (or expire after {@link #TTL}) the
 * controller does not act on the stale cache: that is how it avoids creating pods twice.
 *
 * <p>Deletions are tracked by the deleted object's key, so a deletion seen twice (the update that
 * sets deletionTimestamp, then the delete) counts once.
 */
public final class ControllerExpectations {
  public static final Duration TTL = Duration.ofMinutes(5);

  private final InstantSource clock;
  private final Map<ObjectKey, Expectation> expectations = new HashMap<>();

  private static final class Expectation {
    int adds;
    final Set<String> deletes = new HashSet<>();
    Instant timestamp;

    Expectation(Instant timestamp) {
      this.timestamp = timestamp;
    }

    boolean fulfilled() {
      return adds <= 0 && deletes.isEmpty();
    }
  }

  public ControllerExpectations(InstantSource clock) {
    this.clock = clock;
  }

  /** True when the controller may sync: nothing pending, expired, or never recorded. */
  public synchronized boolean satisfied(ObjectKey controllerKey) {
    Expectation expectation = expectations.get(controllerKey);
    if (expectation == null) {
      return true;
    }
    if (expectation.fulfilled()) {
      return true;
    }
    return Duration.between(expectation.timestamp, clock.instant()).compareTo(TTL) > 0;
  }

  /** Replaces the key's expectations with count creations. */
  public synchronized void expectCreations(ObjectKey controllerKey, int count) {
    Expectation expectation = new Expectation(clock.instant());
    expectation.adds = count;
    expectations.put(controllerKey, expectation);
  }

  /** Replaces the key's expectations with the deletion of these objects (by their cache keys). */
  public synchronized void expectDeletions(ObjectKey controllerKey, Set<String> deletedKeys) {
    Expectation expectation = new Expectation(clock.instant());
    expectation.deletes.addAll(deletedKeys);
    expectations.put(controllerKey, expectation);
  }

  /** Replaces the key's expectations with count creations and these deletions. */
  public synchronized void expect(ObjectKey controllerKey, int creations, Set<String> deletedKeys) {
    Expectation expectation = new Expectation(clock.instant());
    expectation.adds = creations;
    expectation.deletes.addAll(deletedKeys);
    expectations.put(controllerKey, expectation);
  }

  public synchronized void creationObserved(ObjectKey controllerKey) {
    Expectation expectation = expectations.get(controllerKey);
    if (expectation != null) {
      expectation.adds--;
    }
  }

  /** Lowers the pending creations by count, e.g. for creations skipped after an error. */
  public synchronized void lowerCreations(ObjectKey controllerKey, int count) {
    Expectation expectation = expectations.get(controllerKey);
    if (expectation != null) {
      expectation.adds -= count;
    }
  }

  public synchronized void deletionObserved(ObjectKey controllerKey, String deletedKey) {
    Expectation expectation = expectations.get(controllerKey);
    if (expectation != null) {
      expectation.deletes.remove(deletedKey);
    }
  }

  public synchronized void delete(ObjectKey controllerKey) {
    expectations.remove(controllerKey);
  }

  /** Pending creations and deletions, for logs and tests. */
  public synchronized String describe(ObjectKey controllerKey) {
    Expectation expectation = expectations.get(controllerKey);
    return expectation == null
        ? "none"
        : "adds=" + expectation.adds + " deletes=" + expectation.deletes.size();
  }
}
