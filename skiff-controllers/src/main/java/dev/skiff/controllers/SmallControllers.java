package dev.skiff.controllers;

import dev.skiff.controllers.clusterdns.ClusterDnsEndpointsController;
import dev.skiff.controllers.nodeipam.CidrAllocator;
import dev.skiff.controllers.nodeipam.NodeIpamController;
import dev.skiff.controllers.podgc.PodGarbageCollector;
import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.ttl.TtlAfterFinishedController;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/** Wires node IPAM, pod GC and TTL-after-finished to the API. */
final class SmallControllers {
  private SmallControllers() {}

  static ControllerRunner nodeIpam(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Node> nodes = context.informers().forType(Node.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("node-ipam");
    NodeIpamController controller =
        new NodeIpamController(
            nodes.getIndexer(),
            new CidrAllocator(
                context.options().clusterCidr(), context.options().nodeCidrMaskSize()),
            (node, cidr) ->
                client
                    .nodes()
                    .withName(node.getMetadata().getName())
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"podCIDR\":\""
                            + cidr
                            + "\",\"podCIDRs\":[\""
                            + cidr
                            + "\"]}}"),
            context.recorder("node-controller"),
            queue);
    nodes.addEventHandler(controller.handler());
    return context.runner("node-ipam", queue, controller, nodes);
  }

  static ControllerRunner clusterDns(ControllerContext context) {
    SharedIndexInformer<Node> nodes = context.informers().forType(Node.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("cluster-dns");
    ClusterDnsEndpointsController controller =
        new ClusterDnsEndpointsController(nodes.getIndexer(), context.client());
    nodes.addEventHandler(controller.handler(() -> queue.add(ClusterDnsEndpointsController.KEY)));
    queue.add(ClusterDnsEndpointsController.KEY);
    return context.runner("cluster-dns", queue, controller, nodes);
  }

  static ControllerRunner podGc(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Pod> pods = context.informers().forType(Pod.class);
    SharedIndexInformer<Node> nodes = context.informers().forType(Node.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("pod-garbage-collector");
    PodGarbageCollector collector =
        new PodGarbageCollector(
            pods.getIndexer(),
            nodes.getIndexer(),
            pod -> {
              try {
                client
                    .pods()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .withGracePeriod(0)
                    .delete();
              } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                  throw e;
                }
              }
            },
            context.options().terminatedPodGcThreshold(),
            context.clock());
    queue.add(PodGarbageCollector.KEY);
    return context.runner("pod-garbage-collector", queue, collector, pods, nodes);
  }

  static ControllerRunner ttlAfterFinished(ControllerContext context) {
    KubernetesClient client = context.client();
    SharedIndexInformer<Job> jobs = context.informers().forType(Job.class);
    DefaultRateLimitingQueue<ObjectKey> queue = context.queue("ttl-after-finished");
    TtlAfterFinishedController controller =
        new TtlAfterFinishedController(
            jobs.getIndexer(),
            job ->
                client
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(job.getMetadata().getNamespace())
                    .withName(job.getMetadata().getName())
                    .withPropagationPolicy(DeletionPropagation.FOREGROUND)
                    .delete(),
            queue,
            context.clock());
    jobs.addEventHandler(controller.handler());
    return context.runner("ttl-after-finished", queue, controller, jobs);
  }
}
