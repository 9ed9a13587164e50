package dev.skiff.controllers;

import dev.skiff.controllers.cronjob.CronJobControllers;
import dev.skiff.controllers.daemonset.DaemonSetControllers;
import dev.skiff.controllers.deployment.DeploymentControllers;
import dev.skiff.controllers.disruption.DisruptionControllers;
import dev.skiff.controllers.endpoints.EndpointControllers;
import dev.skiff.controllers.gc.GarbageCollectors;
import dev.skiff.controllers.hpa.HorizontalControllers;
import dev.skiff.controllers.job.JobControllers;
import dev.skiff.controllers.namespace.NamespaceControllers;
import dev.skiff.controllers.nodelifecycle.NodeLifecycleControllers;
import dev.skiff.controllers.replicaset.ReplicaSetControllers;
import dev.skiff.controllers.resourcequota.ResourceQuotaControllers;
import dev.skiff.controllers.runtime.ControllerContext;
import dev.skiff.controllers.runtime.ControllerRunner;
import dev.skiff.controllers.servicelb.ServiceLoadBalancerControllers;
import dev.skiff.controllers.statefulset.StatefulSetControllers;
import dev.skiff.controllers.volume.VolumeControllers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Every controller the manager knows, by its kube-controller-manager name. */
final class Controllers {
  record Descriptor(boolean onByDefault, Function<ControllerContext, ControllerRunner> factory) {}

  static final Map<String, Descriptor> ALL = build();

  private Controllers() {}

  private static Map<String, Descriptor> build() {
    Map<String, Descriptor> all = new LinkedHashMap<>();
    all.put("cronjob", new Descriptor(true, CronJobControllers::cronJobs));
    all.put("deployment", new Descriptor(true, DeploymentControllers::deployments));
    all.put("disruption", new Descriptor(true, DisruptionControllers::disruption));
    all.put("replicaset", new Descriptor(true, ReplicaSetControllers::replicaSets));
    all.put("resourcequota", new Descriptor(true, ResourceQuotaControllers::resourceQuota));
    all.put("daemonset", new Descriptor(true, DaemonSetControllers::daemonSets));
    all.put("statefulset", new Descriptor(true, StatefulSetControllers::statefulSets));
    all.put("endpoints", new Descriptor(true, EndpointControllers::endpoints));
    all.put("endpointslice", new Descriptor(true, EndpointControllers::endpointSlices));
    all.put("garbage-collector", new Descriptor(true, GarbageCollectors::garbageCollector));
    all.put(
        HorizontalControllers.NAME,
        new Descriptor(true, HorizontalControllers::horizontalPodAutoscaling));
    all.put("job", new Descriptor(true, JobControllers::jobs));
    all.put("node-lifecycle", new Descriptor(true, NodeLifecycleControllers::nodeLifecycle));
    all.put("node-ipam", new Descriptor(true, SmallControllers::nodeIpam));
    all.put("cluster-dns", new Descriptor(true, SmallControllers::clusterDns));
    all.put(
        ServiceLoadBalancerControllers.NAME,
        new Descriptor(true, ServiceLoadBalancerControllers::serviceLoadBalancers));
    all.put("pod-garbage-collector", new Descriptor(true, SmallControllers::podGc));
    all.put("ttl-after-finished", new Descriptor(true, SmallControllers::ttlAfterFinished));
    all.put("namespace", new Descriptor(true, NamespaceControllers::namespaces));
    all.put("serviceaccount", new Descriptor(true, NamespacedDefaults::serviceAccounts));
    all.put("root-ca-cert-publisher", new Descriptor(true, NamespacedDefaults::rootCaPublisher));
    all.put("persistentvolume-binder", new Descriptor(true, VolumeControllers::binder));
    all.put(
        "replicationcontroller",
        new Descriptor(true, ReplicaSetControllers::replicationControllers));
    return all;
  }
}
