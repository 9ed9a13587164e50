package dev.skiff.controllers.endpoints;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the Endpoints and EndpointSlice controllers to the API. */
public final class EndpointControllers {
  private EndpointControllers() {}

  public static ControllerRunner endpoints(ControllerContext context) {
    SharedIndexInformer<Service> services = context.informers().forType(Service.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    SharedIndexInformer<Endpoints> endpoints = context.informers().forType(Endpoints.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("endpoints");
    EndpointsController controller =
        new EndpointsController(
            services.getIndexer(),
            pods.getIndexer(),
            endpoints.getIndexer(),
            ObjectWriter.of(context.client()),
            queue);
    services.addEventHandler(controller.serviceHandler());
    pods.addEventHandler(controller.podHandler());
    return context.runner("endpoints", queue, controller, services, pods, endpoints);
  }

  public static ControllerRunner endpointSlices(ControllerContext context) {
    SharedIndexInformer<Service> services = context.informers().forType(Service.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    SharedIndexInformer<EndpointSlice> slices = context.informers().forType(EndpointSlice.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("endpointslice");
    EndpointSliceController controller =
        new EndpointSliceController(
            services.getIndexer(),
            pods.getIndexer(),
            slices.getIndexer(),
            ObjectWriter.of(context.client()),
            queue);
    services.addEventHandler(controller.serviceHandler());
    pods.addEventHandler(controller.podHandler());
    slices.addEventHandler(controller.sliceHandler());
    return context.runner("endpointslice", queue, controller, services, pods, slices);
  }
}
