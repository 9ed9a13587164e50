package dev.skiff.apiserver.rest;

import dev.skiff.apiserver.admission.policy.ValidatingAdmissionPolicyBindingStrategy;
import dev.skiff.apiserver.admission.policy.ValidatingAdmissionPolicyStrategy;
import dev.skiff.apiserver.registry.NameRule;
import dev.skiff.apiserver.registry.ResourceStrategy;
import dev.skiff.apiserver.registry.Traits;
import dev.skiff.apiserver.registry.apps.DaemonSetStrategy;
import dev.skiff.apiserver.registry.apps.DeploymentStrategy;
import dev.skiff.apiserver.registry.apps.ReplicaSetStrategy;
import dev.skiff.apiserver.registry.apps.StatefulSetStrategy;
import dev.skiff.apiserver.registry.batch.CronJobStrategy;
import dev.skiff.apiserver.registry.batch.JobStrategy;
import dev.skiff.apiserver.registry.core.ClusterIpAllocator;
import dev.skiff.apiserver.registry.core.ConfigMapStrategy;
import dev.skiff.apiserver.registry.core.EventStrategy;
import dev.skiff.apiserver.registry.core.NamespaceStrategy;
import dev.skiff.apiserver.registry.core.NodePortAllocator;
import dev.skiff.apiserver.registry.core.NodeStrategy;
import dev.skiff.apiserver.registry.core.PersistentVolumeClaimStrategy;
import dev.skiff.apiserver.registry.core.PersistentVolumeStrategy;
import dev.skiff.apiserver.registry.core.PodStrategy;
import dev.skiff.apiserver.registry.core.ReplicationControllerStrategy;
import dev.skiff.apiserver.registry.core.SecretStrategy;
import dev.skiff.apiserver.registry.core.ServiceStrategy;
import java.util.Map;

/** The strategy of each resource by "group/plural"; other resources get the plain strategy. */
final class Strategies {
  private static final ResourceStrategy PLAIN = new ResourceStrategy() {};
  private static final ResourceStrategy CREATE_ON_UPDATE =
      new ResourceStrategy() {
        @Override
        public Traits traits() {
          return Traits.DEFAULT.withCreateOnUpdate();
        }
      };
  private static final ResourceStrategy WITH_GENERATION =
      new ResourceStrategy() {
        @Override
        public Traits traits() {
          return Traits.DEFAULT.withGeneration();
        }
      };

  private static final ResourceStrategy CUSTOM =
      new ResourceStrategy() {
        @Override
        public Traits traits() {
          return new Traits(true, false, false, false, NameRule.DNS_SUBDOMAIN);
        }
      };

  /** RBAC objects may be named with any path segment (e.g. "system:controller:x"). */
  private static final ResourceStrategy PATH_SEGMENT_NAMES =
      new ResourceStrategy() {
        @Override
        public Traits traits() {
          return Traits.DEFAULT.withNameRule(NameRule.PATH_SEGMENT);
        }
      };

  private final Map<String, ResourceStrategy> byResource;

  Strategies(ClusterIpAllocator allocator, NodePortAllocator nodePorts) {
    ReplicaSetStrategy replicaSets = new ReplicaSetStrategy();
    EventStrategy events = new EventStrategy();
    this.byResource =
        Map.ofEntries(
            Map.entry("/pods", new PodStrategy()),
            Map.entry("/services", new ServiceStrategy(allocator, nodePorts)),
            Map.entry("/configmaps", new ConfigMapStrategy()),
            Map.entry("/secrets", new SecretStrategy()),
            Map.entry("/namespaces", new NamespaceStrategy()),
            Map.entry("/nodes", new NodeStrategy()),
            Map.entry("/events", events),
            Map.entry("/endpoints", CREATE_ON_UPDATE),
            Map.entry("/persistentvolumeclaims", new PersistentVolumeClaimStrategy()),
            Map.entry("/persistentvolumes", new PersistentVolumeStrategy()),
            Map.entry("/replicationcontrollers", new ReplicationControllerStrategy()),
            Map.entry("apps/deployments", new DeploymentStrategy()),
            Map.entry("apps/replicasets", replicaSets),
            Map.entry("apps/statefulsets", new StatefulSetStrategy()),
            Map.entry("apps/daemonsets", new DaemonSetStrategy()),
            Map.entry("batch/jobs", new JobStrategy()),
            Map.entry("batch/cronjobs", new CronJobStrategy()),
            Map.entry("policy/poddisruptionbudgets", WITH_GENERATION),
            Map.entry("autoscaling/horizontalpodautoscalers", PLAIN),
            Map.entry("networking.k8s.io/ingresses", WITH_GENERATION),
            Map.entry("networking.k8s.io/networkpolicies", WITH_GENERATION),
            Map.entry("apiextensions.k8s.io/customresourcedefinitions", WITH_GENERATION),
            Map.entry(
                "admissionregistration.k8s.io/validatingadmissionpolicies",
                new ValidatingAdmissionPolicyStrategy()),
            Map.entry(
                "admissionregistration.k8s.io/validatingadmissionpolicybindings",
                new ValidatingAdmissionPolicyBindingStrategy()),
            Map.entry("rbac.authorization.k8s.io/roles", PATH_SEGMENT_NAMES),
            Map.entry("rbac.authorization.k8s.io/clusterroles", PATH_SEGMENT_NAMES),
            Map.entry("rbac.authorization.k8s.io/rolebindings", PATH_SEGMENT_NAMES),
            Map.entry("rbac.authorization.k8s.io/clusterrolebindings", PATH_SEGMENT_NAMES));
  }

  /**
   * The strategy of a resource; {@code custom} marks resources without a built-in model (custom
   * resources), which track generation and need a resourceVersion on every update, as Kubernetes'
   * custom resource strategy does.
   */
  ResourceStrategy forResource(String group, String plural, boolean custom) {
    ResourceStrategy strategy = byResource.get(group + "/" + plural);
    if (strategy != null) {
      return strategy;
    }
    return custom ? CUSTOM : PLAIN;
  }
}
