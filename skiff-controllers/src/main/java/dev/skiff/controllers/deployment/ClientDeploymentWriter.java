package dev.skiff.controllers.deployment;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RetryOnConflict;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@link DeploymentWriter} through the API. */
public final class ClientDeploymentWriter implements DeploymentWriter {
  private final KubernetesClient client;

  public ClientDeploymentWriter(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public ReplicaSet createReplicaSet(ReplicaSet rs) {
    return client
        .apps()
        .replicaSets()
        .inNamespace(rs.getMetadata().getNamespace())
        .resource(rs)
        .create();
  }

  @Override
  public ReplicaSet updateReplicaSet(ReplicaSet rs) {
    return client
        .apps()
        .replicaSets()
        .inNamespace(rs.getMetadata().getNamespace())
        .resource(rs)
        .update();
  }

  @Override
  public void deleteReplicaSet(ReplicaSet rs) {
    client
        .apps()
        .replicaSets()
        .inNamespace(rs.getMetadata().getNamespace())
        .withName(rs.getMetadata().getName())
        .delete();
  }

  @Override
  public void patchReplicaSetOwnerReferences(ReplicaSet rs, List<OwnerReference> ownerReferences) {
    ObjectNode patch = Json.object();
    ObjectNode metadata = patch.putObject("metadata");
    metadata.put("uid", rs.getMetadata().getUid());
    ArrayNode refs = metadata.putArray("ownerReferences");
    ownerReferences.forEach(ref -> refs.add(Json.MAPPER.<ObjectNode>valueToTree(ref)));
    client
        .apps()
        .replicaSets()
        .inNamespace(rs.getMetadata().getNamespace())
        .withName(rs.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), Json.MAPPER.writeValueAsString(patch));
  }

  @Override
  public Deployment updateStatus(Deployment d) {
    return RetryOnConflict.run(
        () -> {
          try {
            return client
                .apps()
                .deployments()
                .inNamespace(d.getMetadata().getNamespace())
                .resource(d)
                .updateStatus();
          } catch (KubernetesClientException e) {
            if (!RetryOnConflict.isConflict(e)) {
              throw e;
            }
            Deployment latest =
                client
                    .apps()
                    .deployments()
                    .inNamespace(d.getMetadata().getNamespace())
                    .withName(d.getMetadata().getName())
                    .get();
            if (latest == null
                || !Objects.equals(
                    latest.getMetadata().getGeneration(), d.getMetadata().getGeneration())) {
              // the spec moved on: this status describes an older generation, recompute it
              throw e;
            }
            latest.setStatus(d.getStatus());
            return client.apps().deployments().resource(latest).updateStatus();
          }
        });
  }

  @Override
  public Deployment patchAnnotations(Deployment d, Map<String, String> annotations) {
    ObjectNode patch = Json.object();
    ObjectNode values = patch.putObject("metadata").putObject("annotations");
    annotations.forEach(values::put);
    return client
        .apps()
        .deployments()
        .inNamespace(d.getMetadata().getNamespace())
        .withName(d.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), Json.MAPPER.writeValueAsString(patch));
  }

  @Override
  public Deployment get(ObjectKey key) {
    return client.apps().deployments().inNamespace(key.namespace()).withName(key.name()).get();
  }
}
