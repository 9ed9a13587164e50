package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * The API calls the kubelet makes about pods. Failures are {@link
 * io.fabric8.kubernetes.client.KubernetesClientException}s carrying the HTTP code.
 */
public interface PodApi {

  /**
   * Writes {@code status} through {@code pods/status}, only to the pod with {@code pod}'s uid (a
   * pod deleted and created again under the same name is left alone: 409).
   */
  void patchStatus(Pod pod, PodStatus status);

  /**
   * Confirms a deletion: deletes the pod with gracePeriodSeconds 0 and a uid precondition. A pod
   * already gone, or replaced by another of the same name, counts as confirmed.
   */
  void confirmDeletion(String namespace, String name, String uid);
}
