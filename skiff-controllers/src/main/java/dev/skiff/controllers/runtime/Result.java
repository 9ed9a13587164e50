package dev.skiff.controllers.runtime;

import java.time.Duration;
import java.util.Optional;

/**
 * What a reconcile asks of the runner: nothing more, a rate-limited retry, or a check again after a
 * fixed delay. Throwing from {@link Reconciler#reconcile} is the same as {@link #requeue()}.
 *
 * @param retry retry with the queue's per-item backoff
 * @param requeueAfter run again after this delay (resets the backoff)
 */
public record Result(boolean retry, Optional<Duration> requeueAfter) {

  private static final Result DONE = new Result(false, Optional.empty());
  private static final Result REQUEUE = new Result(true, Optional.empty());

  public Result {
    requeueAfter.ifPresent(
        delay -> {
          if (delay.isNegative()) {
            throw new IllegalArgumentException("negative requeueAfter " + delay);
          }
        });
  }

  public static Result done() {
    return DONE;
  }

  public static Result requeue() {
    return REQUEUE;
  }

  public static Result requeueAfter(Duration delay) {
    return new Result(false, Optional.of(delay));
  }

  /** The sooner of two results: used when a reconcile has several reasons to come back. */
  public Result soonest(Result other) {
    if (retry || other.retry) {
      return REQUEUE;
    }
    if (requeueAfter.isEmpty()) {
      return other;
    }
    if (other.requeueAfter.isEmpty()) {
      return this;
    }
    return requeueAfter.get().compareTo(other.requeueAfter.get()) <= 0 ? this : other;
  }
}
