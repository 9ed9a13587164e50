package dev.skiff.kubelet.sim;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;

/** What the simulated kubelet does for a pod after a sync: a value, so the rules test alone. */
public sealed interface SimPodAction {

  /** Nothing to do until the pod changes. */
  record None() implements SimPodAction {}

  /** Sync again at {@code at} (a run ends, a grace period expires). */
  record WakeAt(Instant at) implements SimPodAction {}

  /**
   * Write {@code status}; once written, {@link SimPods#written} records {@code version} so it is
   * not written again; then sync again at {@code wakeAt} when not null.
   */
  record WriteStatus(Pod pod, PodStatus status, String version, Instant wakeAt)
      implements SimPodAction {}

  /** Delete the pod for good (gracePeriodSeconds 0, uid precondition). */
  record ConfirmDeletion(String namespace, String name, String uid) implements SimPodAction {}
}
