package dev.skiff.controllers.gc;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.DiscoveredResource;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ResourceDiscovery;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Wires the garbage collector: one generic informer per discovered resource feeds the graph. */
public final class GarbageCollectors {
  /** Resources the collector never tracks, as Kubernetes ignores them by default. */
  static final Set<String> IGNORED = Set.of("events", "events.events.k8s.io");

  private GarbageCollectors() {}

  public static ControllerRunner garbageCollector(ControllerContext context) {
    ResourceDiscovery discovery = ResourceDiscovery.of(context.client());
    ClientGcClient gcClient = new ClientGcClient(context.client(), discovery);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("garbage-collector");
    GarbageCollector collector =
        new GarbageCollector(new OwnerGraph(), gcClient, queue, gcClient::namespaced);
    List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
    for (DiscoveredResource resource : discovery.preferredResources()) {
      if (IGNORED.contains(resource.groupResource())
          || !resource.supports("list")
          || !resource.supports("watch")
          || !resource.supports("delete")) {
        continue;
      }
      SharedIndexInformer<GenericKubernetesResource> informer =
          context
              .client()
              .genericKubernetesResources(resource.context())
              .inAnyNamespace()
              .runnableInformer(0);
      informer.addEventHandler(
          new ResourceEventHandler<>() {
            @Override
            public void onAdd(GenericKubernetesResource object) {
              collector.observed(withType(object, resource));
            }

            @Override
            public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource object) {
              collector.observed(withType(object, resource));
            }

            @Override
            public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
              collector.removed(withType(object, resource));
            }
          });
      informers.add(informer);
    }
    informers.forEach(SharedIndexInformer::start);
    ControllerRunner runner =
        context.runner(
            "garbage-collector",
            queue,
            collector,
            informers.toArray(new SharedIndexInformer<?>[0]));
    informers.forEach(informer -> runner.closing(informer::stop));
    return runner;
  }

  private static GraphObject withType(
      GenericKubernetesResource object, DiscoveredResource resource) {
    GraphObject graphObject = GraphObject.of(object);
    if (graphObject.apiVersion() != null && graphObject.kind() != null) {
      return graphObject;
    }
    return new GraphObject(
        resource.apiVersion(),
        resource.kind(),
        graphObject.namespace(),
        graphObject.name(),
        graphObject.uid(),
        graphObject.resourceVersion(),
        graphObject.ownerReferences(),
        graphObject.finalizers(),
        graphObject.deleting());
  }
}
