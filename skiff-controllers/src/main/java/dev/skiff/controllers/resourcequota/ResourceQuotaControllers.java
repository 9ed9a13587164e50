package dev.skiff.controllers.resourcequota;

import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires the ResourceQuota status controller to the API. */
public final class ResourceQuotaControllers {
  private ResourceQuotaControllers() {}

  public static ControllerRunner resourceQuota(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<ResourceQuota> quotas = context.informers().forType(ResourceQuota.class);
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    SharedIndexInformer<Service> services = context.informers().forType(Service.class);
    SharedIndexInformer<ConfigMap> configMaps = context.informers().forType(ConfigMap.class);
    SharedIndexInformer<Secret> secrets = context.informers().forType(Secret.class);
    SharedIndexInformer<PersistentVolumeClaim> claims =
        context.informers().forType(PersistentVolumeClaim.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("resourcequota");
    ResourceQuotaController controller =
        new ResourceQuotaController(
            quotas.getIndexer(),
            pods.getIndexer(),
            services.getIndexer(),
            configMaps.getIndexer(),
            secrets.getIndexer(),
            claims.getIndexer(),
            quota -> client.resourceQuotas().resource(quota).updateStatus(),
            queue,
            context.clock());
    quotas.addEventHandler(controller.quotaHandler());
    pods.addEventHandler(controller.<Pod>usageHandler());
    services.addEventHandler(controller.<Service>usageHandler());
    configMaps.addEventHandler(controller.<ConfigMap>usageHandler());
    secrets.addEventHandler(controller.<Secret>usageHandler());
    claims.addEventHandler(controller.<PersistentVolumeClaim>usageHandler());
    return context.runner(
        "resourcequota", queue, controller, quotas, pods, services, configMaps, secrets, claims);
  }
}
