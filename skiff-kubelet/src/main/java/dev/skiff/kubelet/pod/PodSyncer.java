package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;

/**
 * What a pod worker does in each state. Calls for one pod never overlap; calls for different pods
 * run concurrently. A thrown exception means "retry with back-off".
 */
public interface PodSyncer {

  /**
   * Brings the runtime in line with the pod's spec and writes its status (SYNCING).
   *
   * @return whether the pod has finished, and when at the latest to sync it again
   */
  SyncResult syncPod(Pod pod);

  /** Stops every container (preStop, then the grace period) and the sandbox (TERMINATING). */
  void terminatePod(Pod pod, Duration gracePeriod);

  /**
   * Releases what a stopped pod still holds (volumes, probes) and writes its final status; with
   * {@code remove} (deleted or gone from the API) also removes its containers and sandboxes and,
   * when the pod still exists in the API, confirms the deletion (TERMINATED).
   */
  void terminatedPod(Pod pod, boolean remove, boolean goneFromApi);

  /** Removes what the runtime still holds for a pod unknown to the API (an orphan). */
  void removeOrphan(String podUid);

  /** The result of one sync. */
  record SyncResult(boolean finished, Duration resyncAfter) {}
}
