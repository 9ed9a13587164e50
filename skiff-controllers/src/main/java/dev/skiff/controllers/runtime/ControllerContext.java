package dev.skiff.controllers.runtime;

import dev.skiff.client.events.ClientEventRecorder;
import dev.skiff.client.events.EventCorrelator;
import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.ControllerManagerOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * What a controller factory gets from the manager: the client, the shared informers, the clock,
 * options, metrics and an event recorder per component.
 */
public record ControllerContext(
    KubernetesClient client,
    Informers informers,
    InstantSource clock,
    ControllerManagerOptions options,
    ControllerMetrics metrics,
    Executor eventExecutor,
    String host) {

  public EventRecorder recorder(String component) {
    return new ClientEventRecorder(
        client, component, host, clock, eventExecutor, new EventCorrelator());
  }

  public DefaultRateLimitingQueue<ObjectKey> queue(String controller) {
    return DefaultRateLimitingQueue.create(clock, metrics.forQueue(controller));
  }

  /** A runner for the controller that waits for the given informers before working. */
  public ControllerRunner runner(
      String controller,
      RateLimitingQueue<ObjectKey> queue,
      Reconciler reconciler,
      SharedIndexInformer<?>... waitFor) {
    List<BooleanSupplier> synced =
        Arrays.stream(waitFor).map(informer -> (BooleanSupplier) informer::hasSynced).toList();
    return new ControllerRunner(controller, queue, reconciler, options.workers(controller), synced);
  }
}
