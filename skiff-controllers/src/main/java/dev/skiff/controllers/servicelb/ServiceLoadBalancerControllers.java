package dev.skiff.controllers.servicelb;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the service load balancer controller to the API. */
public final class ServiceLoadBalancerControllers {
  /** The controller's name ({@code --controllers}, {@code skiff server --disable servicelb}). */
  public static final String NAME = "servicelb";

  private ServiceLoadBalancerControllers() {}

  public static ControllerRunner serviceLoadBalancers(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Service> services = context.informers().forType(Service.class);
    SharedIndexInformer<Node> nodes = context.informers().forType(Node.class);
    SharedIndexInformer<EndpointSlice> slices = context.informers().forType(EndpointSlice.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue(NAME);
    ServiceLoadBalancerController controller =
        new ServiceLoadBalancerController(
            services.getIndexer(),
            nodes.getIndexer(),
            slices.getIndexer(),
            service -> client.services().resource(service).updateStatus(),
            context.recorder("service-lb-controller"),
            queue);
    services.addEventHandler(controller.serviceHandler());
    nodes.addEventHandler(controller.nodeHandler());
    slices.addEventHandler(controller.endpointSliceHandler());
    return context.runner(NAME, queue, controller, services, nodes, slices);
  }
}
