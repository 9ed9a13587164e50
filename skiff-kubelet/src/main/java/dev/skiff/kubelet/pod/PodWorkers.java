package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker per pod uid, each a virtual thread running the pod through SYNCING → TERMINATING →
 * TERMINATED with a {@link PodSyncer}. Updates coalesce: a worker always works on the newest pod it
 * was given and never queues stale ones. A failing sync is retried with back-off (1 s doubling to
 * {@code maxRetryDelay}); a worker never waits for another.
 */
public final class PodWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodWorkers.class);

  /** The lifecycle state of a pod's worker. */
  public enum State {
    SYNCING,
    TERMINATING,
    TERMINATED
  }

  private final PodSyncer syncer;
  private final Duration resyncInterval;
  private final Duration maxRetryDelay;
  private final ThreadFactory threads;
  private final Map<String, Worker> workers = new ConcurrentHashMap<>();
  // pods whose worker finished: late updates about them must not start a new worker
  private final Set<String> removed =
      Collections.newSetFromMap(
          Collections.synchronizedMap(
              new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > 10_000;
                }
              }));
  private volatile boolean closed;

  /** Workers on virtual threads, resyncing every 10 s, retrying failures up to every 10 s. */
  public PodWorkers(PodSyncer syncer) {
    this(
        syncer,
        Duration.ofSeconds(10),
        Duration.ofSeconds(10),
        Thread.ofVirtual().name("pod-worker-", 0).factory());
  }

  PodWorkers(
      PodSyncer syncer, Duration resyncInterval, Duration maxRetryDelay, ThreadFactory threads) {
    this.syncer = syncer;
    this.resyncInterval = resyncInterval;
    this.maxRetryDelay = maxRetryDelay;
    this.threads = threads;
  }

  /** A pod was added or changed in the API: its worker works on this version next. */
  public void update(Pod pod) {
    if (closed) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    if (removed.contains(uid)) {
      return;
    }
    workers.computeIfAbsent(uid, this::startWorker).offer(pod, false);
  }

  /** A pod is gone from the API: its worker terminates it and removes what remains. */
  public void remove(Pod pod) {
    if (closed) {
      return;
    }
    String uid = pod.getMetadata().getUid();
    if (removed.contains(uid)) {
      return;
    }
    workers.computeIfAbsent(uid, this::startWorker).offer(pod, true);
  }

  /** Asks a pod's worker to sync soon (the runtime changed); no-op for unknown pods. */
  public void wake(String uid) {
    Worker worker = workers.get(uid);
    if (worker != null) {
      worker.wake();
    }
  }

  /** The uids of the pods that have a worker. */
  public Set<String> uids() {
    return Set.copyOf(workers.keySet());
  }

  /** The state of a pod's worker, null when it has none (never seen, or removed). */
  public State state(String uid) {
    Worker worker = workers.get(uid);
    return worker == null ? null : worker.state;
  }

  @Override
  public void close() {
    closed = true;
    workers.values().forEach(Worker::stop);
    workers.clear();
  }

  private Worker startWorker(String uid) {
    Worker worker = new Worker(uid);
    worker.thread = threads.newThread(worker::run);
    worker.thread.start();
    return worker;
  }

  private final class Worker {
    private final String uid;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition signal = lock.newCondition();
    private Pod pod;
    private boolean gone;
    private boolean pending;
    private volatile boolean stopped;
    private volatile State state = State.SYNCING;
    private boolean released;
    private Thread thread;

    Worker(String uid) {
      this.uid = uid;
    }

    void offer(Pod latest, boolean goneFromApi) {
      lock.lock();
      try {
        pod = latest;
        gone = gone || goneFromApi;
        pending = true;
        signal.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void wake() {
      lock.lock();
      try {
        pending = true;
        signal.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void stop() {
      stopped = true;
      if (thread != null) {
        thread.interrupt();
      }
    }

    void run() {
      Duration wait = Duration.ZERO;
      int failures = 0;
      try {
        while (!stopped) {
          Pod current;
          boolean currentGone;
          lock.lock();
          try {
            long nanos = wait.toNanos();
            // the worker starts before its first pod is handed over
            while (!stopped && (pod == null || (!pending && nanos > 0))) {
              if (pod == null) {
                signal.await();
              } else {
                nanos = signal.awaitNanos(nanos);
              }
            }
            pending = false;
            current = pod;
            currentGone = gone;
          } finally {
            lock.unlock();
          }
          if (stopped) {
            return;
          }
          try {
            wait = step(current, currentGone);
            failures = 0;
          } catch (RuntimeException e) {
            failures++;
            wait = retryDelay(failures);
            LOG.warn(
                "pod sync failed pod={}/{} uid={} state={} retryIn={} error={}",
                current.getMetadata().getNamespace(),
                current.getMetadata().getName(),
                uid,
                state,
                wait,
                e.toString());
          }
          if (wait == null) {
            removed.add(uid);
            workers.remove(uid, this);
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** One step of the state machine; null when the worker is done. */
    private Duration step(Pod current, boolean currentGone) {
      boolean deleted = currentGone || current.getMetadata().getDeletionTimestamp() != null;
      switch (state) {
        case SYNCING -> {
          if (deleted) {
            state = State.TERMINATING;
            return Duration.ZERO;
          }
          PodSyncer.SyncResult result = syncer.syncPod(current);
          if (result.finished()) {
            state = State.TERMINATING;
            return Duration.ZERO;
          }
          Duration after = result.resyncAfter();
          return after == null || after.compareTo(resyncInterval) > 0 ? resyncInterval : after;
        }
        case TERMINATING -> {
          syncer.terminatePod(current, gracePeriod(current));
          state = State.TERMINATED;
          return Duration.ZERO;
        }
        case TERMINATED -> {
          if (deleted || !released) {
            syncer.terminatedPod(current, deleted, currentGone);
            released = true;
          }
          if (deleted) {
            LOG.info(
                "pod removed pod={}/{} uid={}",
                current.getMetadata().getNamespace(),
                current.getMetadata().getName(),
                uid);
            return null;
          }
          // a finished pod stays until it is deleted: wait for that update only
          return Duration.ofDays(365);
        }
      }
      throw new IllegalStateException(state.toString());
    }

    private Duration retryDelay(int failures) {
      long seconds = 1L << Math.min(failures - 1, 20);
      Duration delay = Duration.ofSeconds(seconds);
      return delay.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : delay;
    }
  }

  /**
   * The grace period a pod is stopped with: the deletion's, else the spec's
   * terminationGracePeriodSeconds, else 30 s.
   */
  public static Duration gracePeriod(Pod pod) {
    Long seconds = pod.getMetadata().getDeletionGracePeriodSeconds();
    if (seconds == null && pod.getSpec() != null) {
      seconds = pod.getSpec().getTerminationGracePeriodSeconds();
    }
    return Duration.ofSeconds(seconds == null ? 30 : Math.max(0, seconds));
  }
}
