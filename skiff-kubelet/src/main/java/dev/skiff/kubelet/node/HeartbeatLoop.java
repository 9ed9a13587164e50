package dev.skiff.kubelet.node;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives many {@link NodeHeartbeat}s with one timer thread and virtual threads for the blocking API
 * calls, never a thread per node. Heartbeats are spread evenly over the renew interval, so 5,000
 * nodes make a steady 500 lease renewals a second instead of bursts; each keeps its own cadence
 * from its intended start (no drift from slow calls) and at most {@code maxInFlight} calls run at
 * once.
 */
public final class HeartbeatLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatLoop.class);

  private final Timer timer;
  private final Executor workers;
  private final Runnable shutdown;
  private final InstantSource clock;
  private final Semaphore inFlight;
  private final Semaphore registrations;
  private final List<NodeHeartbeat> heartbeats = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.LongAdder ticks =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder lateTicks =
      new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.AtomicLong maxLateMillis =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong maxRenewGapMillis =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.LongAdder lapses =
      new java.util.concurrent.atomic.LongAdder();
  private volatile boolean closed;

  /**
   * How punctual the heartbeats have been: ticks run on schedule, those that started more than a
   * second after their slot, the worst such delay, the longest time between two renewals of one
   * lease, and how many renewals came after the lease had expired (a gap over its 40 s).
   */
  public record Lateness(
      long ticks,
      long lateOverOneSecond,
      long maxLateMillis,
      long maxRenewGapMillis,
      long lapses) {}

  public Lateness lateness() {
    return new Lateness(
        ticks.sum(), lateTicks.sum(), maxLateMillis.get(), maxRenewGapMillis.get(), lapses.sum());
  }

  public HeartbeatLoop(int maxInFlight) {
    this(
        newTimer(),
        Executors.newVirtualThreadPerTaskExecutor(),
        InstantSource.system(),
        maxInFlight);
  }

  /** A single daemon timer thread, for heartbeats and pod wake-ups alike. */
  public static ScheduledExecutorService newTimer() {
    return newTimer("node-heartbeat-timer");
  }

  /** A loop on a shared timer thread and executor; {@link #close()} shuts both down. */
  public HeartbeatLoop(
      ScheduledExecutorService timer,
      ExecutorService workers,
      InstantSource clock,
      int maxInFlight) {
    this(
        (delay, task) -> timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS),
        workers,
        clock,
        maxInFlight,
        () -> {
          timer.shutdownNow();
          workers.shutdown();
          try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }

  HeartbeatLoop(
      Timer timer, Executor workers, InstantSource clock, int maxInFlight, Runnable shutdown) {
    this.timer = timer;
    this.workers = workers;
    this.clock = clock;
    this.inFlight = new Semaphore(maxInFlight);
    // a fleet's first ticks (registration: three or four calls each) take a quarter of the calls
    // at most, so that nodes registered already keep renewing while the rest register
    this.registrations = new Semaphore(Math.max(1, maxInFlight / 4));
    this.shutdown = shutdown;
  }

  /** Runs a task after a delay: the loop's one use of real time besides its clock. */
  @FunctionalInterface
  interface Timer {
    void schedule(Duration delay, Runnable task);
  }

  /**
   * The first tick's delay for heartbeat {@code index} of {@code count}: evenly spaced over {@code
   * period}, so that ticks never bunch.
   */
  public static Duration spreadOffset(int index, int count, Duration period) {
    if (count <= 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(period.toNanos() / count * (index % count));
  }

  /**
   * Starts {@code heartbeat}: its first tick (registration and first lease) runs at once, the
   * following ones every renew interval from {@code slotOffset} on, so that a fleet registers
   * quickly and then renews spread out.
   */
  public void start(NodeHeartbeat heartbeat, Duration slotOffset) {
    heartbeats.add(heartbeat);
    // the slot after the first tick: a zero offset means a whole interval after it, not at once
    Duration offset = slotOffset.isZero() ? NodeLeases.RENEW_INTERVAL : slotOffset;
    Instant slot = clock.instant().plus(offset).minus(NodeLeases.RENEW_INTERVAL);
    dispatch(heartbeat, slot, false);
  }

  public List<NodeHeartbeat> heartbeats() {
    return List.copyOf(heartbeats);
  }

  private void dispatch(NodeHeartbeat heartbeat, Instant intended, boolean onSchedule) {
    if (closed) {
      return;
    }
    workers.execute(
        () -> {
          Duration next;
          Semaphore permits = onSchedule ? inFlight : registrations;
          permits.acquireUninterruptibly();
          try {
            Instant start = clock.instant();
            if (onSchedule) {
              record(Duration.between(intended, start));
            }
            Instant renewedBefore = renewTime(heartbeat);
            next = heartbeat.tick(start);
            Instant renewedAfter = renewTime(heartbeat);
            if (renewedBefore != null
                && renewedAfter != null
                && renewedAfter.isAfter(renewedBefore)) {
              recordGap(Duration.between(renewedBefore, renewedAfter));
            }
          } catch (RuntimeException e) {
            LOG.warn(
                "event=heartbeat_error node={} error=\"{}\"", heartbeat.nodeName(), e.toString());
            next = Duration.ofSeconds(1);
          } finally {
            permits.release();
          }
          schedule(heartbeat, intended, next);
        });
  }

  private static Instant renewTime(NodeHeartbeat heartbeat) {
    var lease = heartbeat.lease();
    return lease == null || lease.getSpec().getRenewTime() == null
        ? null
        : lease.getSpec().getRenewTime().toInstant();
  }

  private void recordGap(Duration gap) {
    maxRenewGapMillis.accumulateAndGet(gap.toMillis(), Math::max);
    if (gap.getSeconds() >= NodeLeases.LEASE_DURATION_SECONDS) {
      lapses.increment();
    }
  }

  private void record(Duration late) {
    ticks.increment();
    if (late.toMillis() > 1000) {
      lateTicks.increment();
    }
    maxLateMillis.accumulateAndGet(late.toMillis(), Math::max);
  }

  private void schedule(NodeHeartbeat heartbeat, Instant intended, Duration next) {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    // a regular renewal keeps the node's slot in the spread; a retry after failure counts from now
    Instant at = next.equals(NodeLeases.RENEW_INTERVAL) ? intended.plus(next) : now.plus(next);
    if (at.isBefore(now)) {
      at = now;
    }
    Instant nextIntended = at;
    try {
      timer.schedule(Duration.between(now, at), () -> dispatch(heartbeat, nextIntended, true));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  /** Stops every heartbeat: the nodes' leases lapse after their duration. */
  @Override
  public void close() {
    closed = true;
    shutdown.run();
  }

  private static ScheduledExecutorService newTimer(String name) {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }
}
