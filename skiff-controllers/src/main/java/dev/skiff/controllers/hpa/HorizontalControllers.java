package dev.skiff.controllers.hpa;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
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
}
