package dev.skiff.controllers.deployment;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Applies the controller's writes to the informer caches, as a perfectly fast API would. */
final class FakeDeploymentWriter implements DeploymentWriter {
  private final CacheImpl<Deployment> deployments;
  private final CacheImpl<ReplicaSet> replicaSets;
  private final InstantSource clock;
  final List<String> deleted = new ArrayList<>();
  private int sequence;

  FakeDeploymentWriter(
      CacheImpl<Deployment> deployments, CacheImpl<ReplicaSet> replicaSets, InstantSource clock) {
    this.deployments = deployments;
    this.replicaSets = replicaSets;
    this.clock = clock;
  }

  private String nextVersion() {
    return Integer.toString(++sequence);
  }

  @Override
  public ReplicaSet createReplicaSet(ReplicaSet rs) {
    String key = rs.getMetadata().getNamespace() + "/" + rs.getMetadata().getName();
    if (replicaSets.getByKey(key) != null) {
      throw new KubernetesClientException("already exists", 409, null);
    }
    ReplicaSet created = copy(rs);
    created.getMetadata().setUid("uid-" + rs.getMetadata().getName());
    created.getMetadata().setCreationTimestamp(clock.instant().toString());
    created.getMetadata().setGeneration(1L);
    created.getMetadata().setResourceVersion(nextVersion());
    replicaSets.put(created);
    return copy(created);
  }

  @Override
  public ReplicaSet updateReplicaSet(ReplicaSet rs) {
    ReplicaSet updated = copy(rs);
    ReplicaSet old =
        replicaSets.getByKey(rs.getMetadata().getNamespace() + "/" + rs.getMetadata().getName());
    if (old != null
        && !Json.MAPPER.valueToTree(old.getSpec()).equals(Json.MAPPER.valueToTree(rs.getSpec()))) {
      updated.getMetadata().setGeneration(old.getMetadata().getGeneration() + 1);
    }
    updated.getMetadata().setResourceVersion(nextVersion());
    replicaSets.put(updated);
    return copy(updated);
  }

  @Override
  public void deleteReplicaSet(ReplicaSet rs) {
    deleted.add(rs.getMetadata().getName());
    replicaSets.remove(rs);
  }

  @Override
  public void patchReplicaSetOwnerReferences(ReplicaSet rs, List<OwnerReference> ownerReferences) {
    ReplicaSet updated = copy(rs);
    updated.getMetadata().setOwnerReferences(new ArrayList<>(ownerReferences));
    replicaSets.put(updated);
  }

  @Override
  public Deployment updateStatus(Deployment d) {
    Deployment stored = deployments.getByKey(ObjectKey.of(d).cacheKey());
    Deployment updated = copy(stored);
    updated.setStatus(copy(d).getStatus());
    updated.getMetadata().setResourceVersion(nextVersion());
    deployments.put(updated);
    return copy(updated);
  }

  @Override
  public Deployment patchAnnotations(Deployment d, Map<String, String> annotations) {
    Deployment updated = copy(deployments.getByKey(ObjectKey.of(d).cacheKey()));
    Map<String, String> merged =
        updated.getMetadata().getAnnotations() == null
            ? new HashMap<>()
            : new HashMap<>(updated.getMetadata().getAnnotations());
    merged.putAll(annotations);
    updated.getMetadata().setAnnotations(merged);
    updated.getMetadata().setResourceVersion(nextVersion());
    deployments.put(updated);
    return copy(updated);
  }

  @Override
  public Deployment get(ObjectKey key) {
    return deployments.getByKey(key.cacheKey());
  }

  @SuppressWarnings("unchecked")
  private static <T> T copy(T object) {
    return (T) Json.MAPPER.convertValue(object, object.getClass());
  }
}
