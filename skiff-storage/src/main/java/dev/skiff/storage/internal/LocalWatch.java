package dev.skiff.storage.internal;

import dev.skiff.storage.StoreException;
import dev.skiff.storage.StoreUnavailable;
import dev.skiff.storage.Watch;
import dev.skiff.storage.WatchEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch delivered in-process: producers {@link #offer} events without ever blocking, and one
 * virtual thread hands them to the listener in order. The watch first runs its {@link Replay}
 * (history older than the live events) on that thread, then drains the queue. A watch whose queue
 * grows beyond its bound is ended with {@link StoreUnavailable} rather than slowing writers.
 */
public final class LocalWatch implements Watch {
  private static final Logger log = LoggerFactory.getLogger(LocalWatch.class);

  /** History to deliver before the queued live events; runs on the delivery thread. */
  @FunctionalInterface
  public interface Replay {
    Replay NONE = sink -> {};

    void run(Consumer<WatchEvent> sink);
  }

  private static final WatchEvent WAKE = new WatchEvent(WatchEvent.Type.PUT, null, null);

  private final String prefix;
  private long lastOffered;
  private final Consumer<WatchEvent> listener;
  private final int maxQueued;
  private final Runnable onEnd;
  private final LinkedBlockingQueue<WatchEvent> queue = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile StoreException failure;
  private volatile Thread thread;

  /**
   * @param afterRevision live events at or below this revision are ignored
   * @param onEnd called once when the watch ends for any reason (to unregister it)
   */
  public LocalWatch(
      String prefix,
      long afterRevision,
      Consumer<WatchEvent> listener,
      int maxQueued,
      Runnable onEnd) {
    this.prefix = prefix;
    this.lastOffered = afterRevision;
    this.listener = listener;
    this.maxQueued = maxQueued;
    this.onEnd = onEnd;
  }

  public String prefix() {
    return prefix;
  }

  /** Starts the delivery thread: {@code replay} first, then the queued events. */
  public LocalWatch start(Replay replay) {
    thread = Thread.ofVirtual().name("store-watch " + prefix).start(() -> deliver(replay));
    return this;
  }

  /**
   * Queues {@code event} if it matches the prefix; never blocks. Callers offer one event at a time
   * (not concurrently), in revision order.
   */
  public void offer(WatchEvent event) {
    // producers offer in revision order; anything at or below the last one is a repeat (a
    // backend resuming a watch) or older than the watch's start
    if (ended.get() || event.revision() <= lastOffered) {
      return;
    }
    lastOffered = event.revision();
    if (!event.kv().key().startsWith(prefix)) {
      return;
    }
    queue.offer(event);
    if (queue.size() > maxQueued) {
      fail(
          new StoreUnavailable(
              "watch on " + prefix + " fell behind by more than " + maxQueued + " events", null));
    }
  }

  /** Ends the watch with {@code cause}; the listener sees no further events. */
  public void fail(StoreException cause) {
    if (!ended.get()) {
      failure = cause;
    }
    end();
  }

  @Override
  public void close() {
    end();
  }

  @Override
  public CompletionStage<Void> done() {
    return done;
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      queue.clear();
      queue.offer(WAKE);
      onEnd.run();
      if (thread == null) {
        finish();
      }
    }
  }

  private void deliver(Replay replay) {
    try {
      replay.run(
          event -> {
            if (!ended.get()) {
              listener.accept(event);
            }
          });
      while (!ended.get()) {
        WatchEvent event = queue.take();
        if (event != WAKE && !ended.get()) {
          listener.accept(event);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StoreException e) {
      fail(e);
    } catch (RuntimeException e) {
      log.warn("event=watch_listener_failed prefix={} error={}", prefix, e.toString());
      fail(new StoreUnavailable("watch listener failed: " + e, e));
    } finally {
      end();
      finish();
    }
  }

  private void finish() {
    StoreException cause = failure;
    if (cause == null) {
      done.complete(null);
    } else {
      done.completeExceptionally(cause);
    }
  }
}
