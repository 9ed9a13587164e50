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
import dev.skiff.controllers.volume.protection.ProtectionControllers;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Every controller the manager knows, by its kube-controller-manager name, with the ServiceAccount
 * in kube-system it acts as under {@code --use-service-account-credentials} (Kubernetes' names;
 * node-ipam shares node-controller as in Kubernetes, servicelb is Kubernetes' service-controller
 * and cluster-dns is ours).
 */
final class Controllers {
  record Descriptor(
      boolean onByDefault,
      String serviceAccount,
      Function<ControllerContext, ControllerRunner> factory) {}

  static final Map<String, Descriptor> ALL = build();

  private Controllers() {}

  private static Map<String, Descriptor> build() {
    Map<String, Descriptor> all = new LinkedHashMap<>();
    all.put("cronjob", new Descriptor(true, "cronjob-controller", CronJobControllers::cronJobs));
    all.put(
        "deployment",
        new Descriptor(true, "deployment-controller", DeploymentControllers::deployments));
    all.put(
        "disruption",
        new Descriptor(true, "disruption-controller", DisruptionControllers::disruption));
    all.put(
        "replicaset",
        new Descriptor(true, "replicaset-controller", ReplicaSetControllers::replicaSets));
    all.put(
        "resourcequota",
        new Descriptor(true, "resourcequota-controller", ResourceQuotaControllers::resourceQuota));
    all.put(
        "daemonset",
        new Descriptor(true, "daemon-set-controller", DaemonSetControllers::daemonSets));
    all.put(
        "statefulset",
        new Descriptor(true, "statefulset-controller", StatefulSetControllers::statefulSets));
    all.put(
        "endpoints", new Descriptor(true, "endpoint-controller", EndpointControllers::endpoints));
    all.put(
        "endpointslice",
        new Descriptor(true, "endpointslice-controller", EndpointControllers::endpointSlices));
    all.put(
        "garbage-collector",
        new Descriptor(true, "generic-garbage-collector", GarbageCollectors::garbageCollector));
    all.put(
        HorizontalControllers.NAME,
        new Descriptor(
            true, "horizontal-pod-autoscaler", HorizontalControllers::horizontalPodAutoscaling));
    all.put("job", new Descriptor(true, "job-controller", JobControllers::jobs));
    all.put(
        "node-lifecycle",
        new Descriptor(true, "node-controller", NodeLifecycleControllers::nodeLifecycle));
    all.put("node-ipam", new Descriptor(true, "node-controller", SmallControllers::nodeIpam));
    all.put(
        "cluster-dns",
        new Descriptor(true, "cluster-dns-controller", SmallControllers::clusterDns));
    all.put(
        ServiceLoadBalancerControllers.NAME,
        new Descriptor(
            true, "service-controller", ServiceLoadBalancerControllers::serviceLoadBalancers));
    all.put(
        "pod-garbage-collector",
        new Descriptor(true, "pod-garbage-collector", SmallControllers::podGc));
    all.put(
        "ttl-after-finished",
        new Descriptor(true, "ttl-after-finished-controller", SmallControllers::ttlAfterFinished));
    all.put(
        "namespace",
        new Descriptor(true, "namespace-controller", NamespaceControllers::namespaces));
    all.put(
        "serviceaccount",
        new Descriptor(true, "service-account-controller", NamespacedDefaults::serviceAccounts));
    all.put(
        "root-ca-cert-publisher",
        new Descriptor(true, "root-ca-cert-publisher", NamespacedDefaults::rootCaPublisher));
    all.put(
        "persistentvolume-binder",
        new Descriptor(true, "persistent-volume-binder", VolumeControllers::binder));
    all.put(
        ProtectionControllers.PVC_PROTECTION,
        new Descriptor(true, "pvc-protection-controller", ProtectionControllers::pvcProtection));
    all.put(
        ProtectionControllers.PV_PROTECTION,
        new Descriptor(true, "pv-protection-controller", ProtectionControllers::pvProtection));
    all.put(
        "replicationcontroller",
        new Descriptor(
            true, "replication-controller", ReplicaSetControllers::replicationControllers));
    return all;
  }
}
