package dev.skiff.controllers.hpa;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RetryOnConflict;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;

/** Wires the horizontal pod autoscaler to the API. */
public final class HorizontalControllers {
  public static final String NAME = "horizontalpodautoscaling";

  /** kube-controller-manager's --horizontal-pod-autoscaler-downscale-stabilization default. */
  public static final Duration DOWNSCALE_STABILIZATION = Duration.ofMinutes(5);

  private HorizontalControllers() {}

  public static ControllerRunner horizontalPodAutoscaling(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<HorizontalPodAutoscaler> autoscalers =
        context.informers().forType(HorizontalPodAutoscaler.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue(NAME);
    HorizontalController controller =
        new HorizontalController(
            autoscalers.getIndexer(),
            pods.getIndexer(),
            new ClientScaleClient(client),
            new ClientResourceMetrics(client),
            hpa ->
                client.autoscaling().v2().horizontalPodAutoscalers().resource(hpa).updateStatus(),
            context.recorder("horizontal-pod-autoscaler"),
            queue,
            context.clock(),
            context.options().horizontalPodAutoscalerSyncPeriod(),
            ReplicaCalculator.withDefaults(context.clock()),
            DOWNSCALE_STABILIZATION);
    autoscalers.addEventHandler(controller.handler());
    return context.runner(NAME, queue, controller, autoscalers, pods);
  }

  /**
   * Writes the status computed from the cached autoscaler; when the cache was behind (409), onto
   * the latest object, so a rescale's lastScaleTime is not lost to a stale resourceVersion.
   */
  static void writeStatus(KubernetesClient client, HorizontalPodAutoscaler computed) {
    var autoscalers =
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(computed.getMetadata().getNamespace());
    boolean[] first = {true};
    RetryOnConflict.run(
        () -> {
          HorizontalPodAutoscaler target = computed;
          if (!first[0]) {
            target = autoscalers.withName(computed.getMetadata().getName()).get();
            if (target == null) {
              return null;
            }
            target.setStatus(computed.getStatus());
          }
          first[0] = false;
          return autoscalers.resource(target).updateStatus();
        });
  }
}
