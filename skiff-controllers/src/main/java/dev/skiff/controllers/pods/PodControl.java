package dev.skiff.controllers.pods;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.List;

/**
 * How workload controllers write pods: create from a template, delete, and change a pod's owner
 * references (adopt or release). Real writes go through the API; tests record calls.
 */
public interface PodControl {
  /** Creates a pod from the template owned by controller; throws on API errors. */
  Pod createPod(
      String namespace, PodTemplateSpec template, HasMetadata controller, OwnerReference ref);

  /** Deletes the pod; throws on API errors (NotFound included, so callers can tell). */
  void deletePod(String namespace, String name, HasMetadata controller);

  /** Replaces the pod's owner references, guarded by its uid (adoption and release). */
  void patchOwnerReferences(Pod pod, List<OwnerReference> ownerReferences);
}
