package dev.skiff.controllers.namespace;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ResourceDiscovery;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the namespace controller to the API. */
public final class NamespaceControllers {
  private NamespaceControllers() {}

  public static ControllerRunner namespaces(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Namespace> namespaces = context.informers().forType(Namespace.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("namespace");
    NamespaceController controller =
        new NamespaceController(
            namespaces.getIndexer(),
            new ClientNamespaceContent(client, ResourceDiscovery.of(client)),
            new NamespaceWriter() {
              @Override
              public void updateStatus(Namespace ns) {
                try {
                  client.namespaces().resource(ns).updateStatus();
                } catch (KubernetesClientException e) {
                  if (e.getCode() != 404 && e.getCode() != 409) {
                    throw e;
                  }
                }
              }

              @Override
              public void finalize(Namespace ns) {
                ns.getMetadata().setResourceVersion(null);
                client.raw(
                    "/api/v1/namespaces/" + ns.getMetadata().getName() + "/finalize",
                    "PUT",
                    Json.MAPPER.writeValueAsString(ns));
              }
            },
            queue,
            context.clock());
    namespaces.addEventHandler(controller.handler());
    return context.runner("namespace", queue, controller, namespaces);
  }
}
