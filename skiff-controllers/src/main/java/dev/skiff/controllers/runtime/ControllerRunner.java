package dev.skiff.controllers.runtime;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one controller: waits for its caches to sync, then runs N workers on virtual threads, each
 * looping get → reconcile → forget / requeue → done.
 */
public final class ControllerRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerRunner.class);

  private final String name;
  private final RateLimitingQueue<ObjectKey> queue;
  private final Reconciler reconciler;
  private final int workers;
  private final List<BooleanSupplier> cachesSynced;
  private final List<Thread> threads = new ArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();

  public ControllerRunner(
      String name,
      RateLimitingQueue<ObjectKey> queue,
      Reconciler reconciler,
      int workers,
      List<BooleanSupplier> cachesSynced) {
    this.name = name;
    this.queue = queue;
    this.reconciler = reconciler;
    this.workers = workers;
    this.cachesSynced = List.copyOf(cachesSynced);
  }

  public String name() {
    return name;
  }

  /** Closes the resource (e.g. the controller's own informers) when the runner closes. */
  public synchronized ControllerRunner closing(AutoCloseable resource) {
    resources.add(resource);
    return this;
  }

  public synchronized void start() {
    Thread starter =
        Thread.ofVirtual()
            .name(name + "-start")
            .start(
                () -> {
                  try {
                    waitForCacheSync();
                  } catch (InterruptedException e) {
                    return;
                  }
                  LOG.info("controller started controller={} workers={}", name, workers);
                  synchronized (this) {
                    for (int i = 0; i < workers; i++) {
                      if (!queue.shuttingDown()) {
                        threads.add(
                            Thread.ofVirtual().name(name + "-worker-" + i).start(this::workLoop));
                      }
                    }
                  }
                });
    threads.add(starter);
  }

  private void waitForCacheSync() throws InterruptedException {
    while (!queue.shuttingDown()
        && !cachesSynced.stream().allMatch(BooleanSupplier::getAsBoolean)) {
      Thread.sleep(Duration.ofMillis(50));
    }
  }

  private void workLoop() {
    try {
      while (processNextItem()) {
        // keep going until the queue shuts down
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Processes one item; false once the queue has shut down. Public for deterministic tests. */
  public boolean processNextItem() throws InterruptedException {
    ObjectKey key = queue.get();
    if (key == null) {
      return false;
    }
    try {
      Result result = reconciler.reconcile(key);
      if (result.retry()) {
        queue.addRateLimited(key);
      } else if (result.requeueAfter().isPresent()) {
        queue.forget(key);
        queue.addAfter(key, result.requeueAfter().get());
      } else {
        queue.forget(key);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "reconcile failed controller={} key={} retries={} error={}",
          name,
          key,
          queue.numRequeues(key),
          describe(e));
      LOG.debug("reconcile failure detail controller={} key={}", name, key, e);
      queue.addRateLimited(key);
    } finally {
      queue.done(key);
    }
    return true;
  }

  /** One short line: the API status (code and message) when there is one. */
  static String describe(RuntimeException e) {
    if (e instanceof KubernetesClientException k && k.getStatus() != null) {
      return "code=" + k.getCode() + " " + k.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
  }

  @Override
  public synchronized void close() {
    queue.shutDown();
    for (Thread thread : threads) {
      thread.interrupt();
    }
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("closing controller resource failed controller={} error={}", name, e.getMessage());
      }
    }
  }
}
