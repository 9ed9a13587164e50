package dev.skiff.controllers;

import dev.skiff.controllers.rootca.RootCaPublisher;
import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.serviceaccount.ServiceAccountsController;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the per-namespace default objects: the default ServiceAccount and kube-root-ca.crt. */
final class NamespacedDefaults {
  private NamespacedDefaults() {}

  static ControllerRunner serviceAccounts(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Namespace> namespaces = context.informers().forType(Namespace.class);
    SharedIndexInformer<ServiceAccount> accounts =
        context.informers().forType(ServiceAccount.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("serviceaccount");
    ServiceAccountsController controller =
        new ServiceAccountsController(
            namespaces.getIndexer(),
            accounts.getIndexer(),
            sa ->
                client
                    .serviceAccounts()
                    .inNamespace(sa.getMetadata().getNamespace())
                    .resource(sa)
                    .create(),
            queue);
    namespaces.addEventHandler(controller.namespaceHandler());
    accounts.addEventHandler(controller.serviceAccountHandler());
    return context.runner("serviceaccount", queue, controller, namespaces, accounts);
  }

  static ControllerRunner rootCaPublisher(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Namespace> namespaces = context.informers().forType(Namespace.class);
    SharedIndexInformer<ConfigMap> configMaps = context.informers().forType(ConfigMap.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("root-ca-cert-publisher");
    RootCaPublisher controller =
        new RootCaPublisher(
            namespaces.getIndexer(),
            configMaps.getIndexer(),
            new RootCaPublisher.ConfigMapWriter() {
              @Override
              public void create(ConfigMap cm) {
                client
                    .configMaps()
                    .inNamespace(cm.getMetadata().getNamespace())
                    .resource(cm)
                    .create();
              }

              @Override
              public void update(ConfigMap cm) {
                client
                    .configMaps()
                    .inNamespace(cm.getMetadata().getNamespace())
                    .resource(cm)
                    .update();
              }
            },
            context.options().rootCaPem().orElseThrow(),
            queue);
    namespaces.addEventHandler(controller.namespaceHandler());
    configMaps.addEventHandler(controller.configMapHandler());
    return context.runner("root-ca-cert-publisher", queue, controller, namespaces, configMaps);
  }
}
