package dev.skiff.kubelet.prober;

import java.time.Duration;
import java.time.Instant;
import java.util.PriorityQueue;

/** A hand-driven clock and timer: tasks run in the test's thread when time is advanced. */
final class FakeProbeScheduler implements ProbeScheduler {
  private final PriorityQueue<Task> queue =
      new PriorityQueue<>(
          (a, b) -> a.due.equals(b.due) ? Long.compare(a.seq, b.seq) : a.due.compareTo(b.due));
  private Instant now;
  private long seq;

  FakeProbeScheduler(Instant start) {
    this.now = start;
  }

  private static final class Task {
    final Instant due;
    final long seq;
    final Runnable run;
    boolean cancelled;

    Task(Instant due, long seq, Runnable run) {
      this.due = due;
      this.seq = seq;
      this.run = run;
    }
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public synchronized Cancellable schedule(Duration delay, Runnable task) {
    Task t = new Task(now.plus(delay), seq++, task);
    queue.add(t);
    return () -> {
      synchronized (this) {
        t.cancelled = true;
      }
    };
  }

  /** Runs what is due now (tasks scheduled with no delay). */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves time forward, running every task that falls due on the way, in order. */
  void advance(Duration d) {
    Instant target;
    synchronized (this) {
      target = now.plus(d);
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        queue.poll();
        now = next.due;
        if (next.cancelled) {
          continue;
        }
      }
      next.run.run();
    }
  }

  /** Advances one second at a time, so tasks see time pass as they would. */
  void advanceSeconds(int seconds) {
    for (int i = 0; i < seconds; i++) {
      advance(Duration.ofSeconds(1));
    }
  }

  synchronized int pending() {
    return (int) queue.stream().filter(t -> !t.cancelled).count();
  }
}
