package dev.skiff.kubelet.pod;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * The probes of a node's pods (liveness, readiness, startup). The pod workers tell it what runs
 * after every sync; it runs the probes on its own schedule and reports readiness and startup, and
 * asks for a restart through {@link LivenessFailures} when a liveness (or startup) probe gives up.
 */
public interface ContainerProbes {

  /** Starts, restarts (new container id) or stops the probe workers of this pod's containers. */
  void sync(Pod pod, PodRuntimeStatus status);

  /** Stops every probe of a pod that is terminating or gone. */
  void removePod(String podUid);

  /** The readiness result: true for a running container without a readiness probe. */
  boolean ready(String podUid, String containerName, String containerId);

  /** The startup result: true for a running container without a startup probe. */
  boolean started(String podUid, String containerName, String containerId);

  /** Where a failed liveness or startup probe asks for the container to be restarted. */
  interface LivenessFailures {
    /**
     * @param message the event message, e.g. "Container web failed liveness probe, will be
     *     restarted"
     */
    void restart(String podUid, String containerName, String containerId, String message);
  }
}
