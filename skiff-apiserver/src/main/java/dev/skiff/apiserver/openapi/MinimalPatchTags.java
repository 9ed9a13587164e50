package dev.skiff.apiserver.openapi;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.util.Map;
import java.util.Optional;

/**
 * The strategic-merge tags of the fields kubectl patches most (containers, env, ports, volumes,
 * conditions, finalizers, the deployment strategy), used until skiff-api publishes the full table.
 */
final class MinimalPatchTags implements PatchTags.Lookup {
  private static final PatchTags BY_NAME = new PatchTags("merge", "name");
  private static final PatchTags BY_TYPE = new PatchTags("merge", "type");
  private static final Map<String, PatchTags> TABLE =
      Map.ofEntries(
          entry(ObjectMeta.class, "finalizers", new PatchTags("merge", "")),
          entry(ObjectMeta.class, "ownerReferences", new PatchTags("merge", "uid")),
          entry(PodSpec.class, "containers", BY_NAME),
          entry(PodSpec.class, "initContainers", BY_NAME),
          entry(PodSpec.class, "ephemeralContainers", BY_NAME),
          entry(PodSpec.class, "imagePullSecrets", BY_NAME),
          entry(PodSpec.class, "volumes", new PatchTags("merge,retainKeys", "name")),
          entry(PodSpec.class, "hostAliases", new PatchTags("merge", "ip")),
          entry(PodSpec.class, "topologySpreadConstraints", new PatchTags("merge", "topologyKey")),
          entry(Container.class, "env", BY_NAME),
          entry(Container.class, "ports", new PatchTags("merge", "containerPort")),
          entry(Container.class, "volumeMounts", new PatchTags("merge", "mountPath")),
          entry(Container.class, "volumeDevices", new PatchTags("merge", "devicePath")),
          entry(PodStatus.class, "conditions", BY_TYPE),
          entry(NodeStatus.class, "conditions", BY_TYPE),
          entry(NodeStatus.class, "addresses", BY_TYPE),
          entry(ServiceSpec.class, "ports", new PatchTags("merge", "port")),
          entry(DeploymentSpec.class, "strategy", new PatchTags("retainKeys", "")),
          entry(DeploymentStatus.class, "conditions", BY_TYPE));

  private static Map.Entry<String, PatchTags> entry(Class<?> owner, String field, PatchTags tags) {
    return Map.entry(owner.getName() + "#" + field, tags);
  }

  @Override
  public Optional<PatchTags> of(Class<?> owner, String jsonField) {
    return Optional.ofNullable(TABLE.get(owner.getName() + "#" + jsonField));
  }
}
