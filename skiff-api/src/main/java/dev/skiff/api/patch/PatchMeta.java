package dev.skiff.api.patch;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.NamespaceStatus;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The strategic-merge metadata of one field: Kubernetes' {@code patchStrategy} (merge, replace,
 * retainKeys, or "merge,retainKeys") and {@code patchMergeKey} tags, which also appear in OpenAPI
 * as {@code x-kubernetes-patch-strategy} and {@code x-kubernetes-patch-merge-key}.
 *
 * <p>A field without an entry is patched by default rules: objects and maps merge, lists are
 * replaced whole.
 *
 * @param strategies the patch strategies, e.g. ["merge"] or ["merge", "retainKeys"]
 * @param mergeKey the field identifying list elements, "" for lists of primitives or non-merged
 */
public record PatchMeta(List<String> strategies, String mergeKey) {
  private static final Map<Class<?>, Map<String, PatchMeta>> TABLE = new HashMap<>();

  static {
    PatchMeta mergeByName = merge("name");
    PatchMeta mergeByType = merge("type");
    put(ObjectMeta.class, "finalizers", merge(""));
    put(ObjectMeta.class, "ownerReferences", merge("uid"));

    put(PodSpec.class, "volumes", mergeRetainKeys("name"));
    put(PodSpec.class, "initContainers", mergeByName);
    put(PodSpec.class, "containers", mergeByName);
    put(PodSpec.class, "ephemeralContainers", mergeByName);
    put(PodSpec.class, "imagePullSecrets", mergeByName);
    put(PodSpec.class, "hostAliases", merge("ip"));
    put(PodSpec.class, "topologySpreadConstraints", merge("topologyKey"));
    put(PodSpec.class, "resourceClaims", mergeRetainKeys("name"));
    put(PodSpec.class, "schedulingGates", mergeByName);
    for (Class<?> container : List.of(Container.class, EphemeralContainer.class)) {
      put(container, "ports", merge("containerPort"));
      put(container, "env", mergeByName);
      put(container, "volumeMounts", merge("mountPath"));
      put(container, "volumeDevices", merge("devicePath"));
    }
    put(io.fabric8.kubernetes.api.model.ContainerStatus.class, "volumeMounts", merge("mountPath"));
    put(
        io.fabric8.kubernetes.api.model.ContainerStatus.class,
        "allocatedResourcesStatus",
        mergeByName);
    put(PodStatus.class, "conditions", mergeByType);
    put(PodStatus.class, "podIPs", merge("ip"));
    put(PodStatus.class, "hostIPs", merge("ip"));
    put(PodStatus.class, "resourceClaimStatuses", mergeRetainKeys("name"));

    put(ServiceSpec.class, "ports", merge("port"));
    put(ServiceStatus.class, "conditions", mergeByType);
    put(NodeSpec.class, "podCIDRs", merge(""));
    put(NodeStatus.class, "conditions", mergeByType);
    put(NodeStatus.class, "addresses", mergeByType);
    put(NamespaceStatus.class, "conditions", mergeByType);
    put(PersistentVolumeClaimStatus.class, "conditions", mergeByType);
    put(ReplicationControllerStatus.class, "conditions", mergeByType);
    put(ServiceAccount.class, "secrets", mergeByName);
    put(io.fabric8.kubernetes.api.model.ComponentStatus.class, "conditions", mergeByType);

    put(DeploymentSpec.class, "strategy", new PatchMeta(List.of("retainKeys"), ""));
    put(DeploymentStatus.class, "conditions", mergeByType);
    put(DaemonSetStatus.class, "conditions", mergeByType);
    put(ReplicaSetStatus.class, "conditions", mergeByType);
    put(StatefulSetStatus.class, "conditions", mergeByType);
    put(JobStatus.class, "conditions", mergeByType);
    put(HorizontalPodAutoscalerStatus.class, "conditions", mergeByType);
    put(PodDisruptionBudgetStatus.class, "conditions", mergeByType);
    put(
        io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec.class,
        "selector",
        new PatchMeta(List.of("replace"), ""));
    put(io.fabric8.kubernetes.api.model.storage.CSINodeSpec.class, "drivers", mergeByName);

    put(
        io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicySpec
            .class,
        "matchConditions",
        mergeByName);
    put(
        io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicySpec
            .class,
        "variables",
        mergeByName);
    put(
        io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration
            .class,
        "webhooks",
        mergeByName);
    put(
        io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration.class,
        "webhooks",
        mergeByName);
    put(
        io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook.class,
        "matchConditions",
        mergeByName);
    put(
        io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook.class,
        "matchConditions",
        mergeByName);
  }

  public PatchMeta {
    strategies = List.copyOf(strategies);
  }

  private static PatchMeta merge(String key) {
    return new PatchMeta(List.of("merge"), key);
  }

  private static PatchMeta mergeRetainKeys(String key) {
    return new PatchMeta(List.of("merge", "retainKeys"), key);
  }

  private static void put(Class<?> owner, String field, PatchMeta meta) {
    TABLE.computeIfAbsent(owner, c -> new java.util.TreeMap<>()).put(field, meta);
  }

  /** The metadata Kubernetes declares for a field of a model class, if any. */
  public static Optional<PatchMeta> of(Class<?> owner, String jsonField) {
    if (owner == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(TABLE.getOrDefault(owner, Map.of()).get(jsonField));
  }

  /** The fields of a model class that declare patch metadata, by JSON name. */
  public static Map<String, PatchMeta> fieldsOf(Class<?> owner) {
    return Map.copyOf(TABLE.getOrDefault(owner, Map.of()));
  }

  /** Every model class that has fields with patch metadata. */
  public static Set<Class<?>> declaringClasses() {
    return Set.copyOf(TABLE.keySet());
  }

  public boolean isMerge() {
    return strategies.contains("merge");
  }

  /** Whether the field is replaced whole, never merged ("replace"). */
  public boolean isReplace() {
    return strategies.contains("replace");
  }

  public boolean isRetainKeys() {
    return strategies.contains("retainKeys");
  }

  /** The tag text, e.g. "merge,retainKeys", as {@code x-kubernetes-patch-strategy} shows it. */
  public String strategy() {
    return String.join(",", strategies);
  }
}
