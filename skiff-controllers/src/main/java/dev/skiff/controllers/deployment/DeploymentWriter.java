package dev.skiff.controllers.deployment;

import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.List;
import java.util.Map;

/** The writes of the Deployment controller (the API in production, a recorder in tests). */
public interface DeploymentWriter {
  /** Creates the ReplicaSet; throws a 409 KubernetesClientException when the name is taken. */
  ReplicaSet createReplicaSet(ReplicaSet rs);

  /** Updates spec and metadata, guarded by resourceVersion. */
  ReplicaSet updateReplicaSet(ReplicaSet rs);

  void deleteReplicaSet(ReplicaSet rs);

  void patchReplicaSetOwnerReferences(ReplicaSet rs, List<OwnerReference> ownerReferences);

  Deployment updateStatus(Deployment d);

  /** Merges the annotations into the Deployment's metadata (the revision annotation). */
  Deployment patchAnnotations(Deployment d, Map<String, String> annotations);

  /** The live Deployment from the API, or null; used before adopting. */
  Deployment get(ObjectKey key);
}
