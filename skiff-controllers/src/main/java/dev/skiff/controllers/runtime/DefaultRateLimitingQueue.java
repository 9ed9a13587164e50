package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The work queue every controller uses: de-duplicating FIFO with dirty and processing sets, a
 * delaying heap for items that must wait, and a rate limiter for retries.
 *
 * <p>Delayed items move to the FIFO when the injected clock passes their ready time; a virtual
 * thread does that in production, tests call {@link #promoteReady()} after advancing a fake clock.
 */
public final class DefaultRateLimitingQueue<K> implements RateLimitingQueue<K>, AutoCloseable {
  private final InstantSource clock;
  private final RateLimiter<K> rateLimiter;
  private final QueueMetrics metrics;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition itemAvailable = lock.newCondition();
  private final Condition waitingChanged = lock.newCondition();
  private final ArrayDeque<K> queue = new ArrayDeque<>();
  private final Set<K> dirty = new HashSet<>();
  private final Set<K> processing = new HashSet<>();
  private final Map<K, Instant> addedAt = new HashMap<>();
  private final Map<K, Instant> startedAt = new HashMap<>();
  private final Map<K, Instant> waiting = new HashMap<>();
  private final PriorityQueue<Waiting<K>> waitingByTime =
      new PriorityQueue<>((a, b) -> a.readyAt.compareTo(b.readyAt));
  private boolean shuttingDown;
  private final Thread waiter;

  private record Waiting<K>(K item, Instant readyAt) {}

  public DefaultRateLimitingQueue(
      InstantSource clock, RateLimiter<K> rateLimiter, QueueMetrics metrics) {
    this.clock = clock;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.waiter = Thread.ofVirtual().name("workqueue-delay").start(this::waitLoop);
  }

  /** A queue with Kubernetes' default controller rate limiter. */
  public static <K> DefaultRateLimitingQueue<K> create(InstantSource clock, QueueMetrics metrics) {
    return new DefaultRateLimitingQueue<>(
        clock, RateLimiter.defaultControllerRateLimiter(clock), metrics);
  }

  @Override
  public void add(K item) {
    lock.lock();
    try {
      addLocked(item);
    } finally {
      lock.unlock();
    }
  }

  private void addLocked(K item) {
    if (shuttingDown || !dirty.add(item)) {
      return;
    }
    addedAt.putIfAbsent(item, clock.instant());
    if (processing.contains(item)) {
      return;
    }
    queue.addLast(item);
    metrics.added(queue.size());
    itemAvailable.signal();
  }

  @Override
  public K get() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !shuttingDown) {
        itemAvailable.await();
      }
      if (queue.isEmpty()) {
        return null;
      }
      K item = queue.removeFirst();
      processing.add(item);
      dirty.remove(item);
      Instant now = clock.instant();
      Instant added = addedAt.remove(item);
      metrics.started(added == null ? Duration.ZERO : Duration.between(added, now), queue.size());
      startedAt.put(item, now);
      return item;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void done(K item) {
    lock.lock();
    try {
      processing.remove(item);
      Instant started = startedAt.remove(item);
      if (started != null) {
        metrics.finished(Duration.between(started, clock.instant()));
      }
      if (dirty.contains(item)) {
        queue.addLast(item);
        metrics.added(queue.size());
        itemAvailable.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void addAfter(K item, Duration delay) {
    lock.lock();
    try {
      if (shuttingDown) {
        return;
      }
      if (delay.isZero() || delay.isNegative()) {
        addLocked(item);
        return;
      }
      Instant readyAt = clock.instant().plus(delay);
      Instant already = waiting.get(item);
      if (already != null && !readyAt.isBefore(already)) {
        return;
      }
      if (already != null) {
        waitingByTime.remove(new Waiting<>(item, already));
      }
      waiting.put(item, readyAt);
      waitingByTime.add(new Waiting<>(item, readyAt));
      waitingChanged.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void addRateLimited(K item) {
    metrics.retried();
    addAfter(item, rateLimiter.when(item));
  }

  @Override
  public void forget(K item) {
    rateLimiter.forget(item);
  }

  @Override
  public int numRequeues(K item) {
    return rateLimiter.numRequeues(item);
  }

  /** Moves every delayed item whose time has come into the FIFO. */
  public void promoteReady() {
    lock.lock();
    try {
      Instant now = clock.instant();
      while (!waitingByTime.isEmpty() && !waitingByTime.peek().readyAt.isAfter(now)) {
        Waiting<K> next = waitingByTime.poll();
        waiting.remove(next.item);
        addLocked(next.item);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Items waiting for their delay to pass. */
  public int waitingCount() {
    lock.lock();
    try {
      return waiting.size();
    } finally {
      lock.unlock();
    }
  }

  private void waitLoop() {
    lock.lock();
    try {
      while (!shuttingDown) {
        promoteReady();
        Waiting<K> next = waitingByTime.peek();
        if (next == null) {
          waitingChanged.await();
        } else {
          long nanos = Duration.between(clock.instant(), next.readyAt).toNanos();
          if (nanos > 0) {
            waitingChanged.await(nanos, TimeUnit.NANOSECONDS);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int length() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void shutDown() {
    lock.lock();
    try {
      shuttingDown = true;
      itemAvailable.signalAll();
      waitingChanged.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean shuttingDown() {
    lock.lock();
    try {
      return shuttingDown;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    shutDown();
    waiter.interrupt();
  }
}
