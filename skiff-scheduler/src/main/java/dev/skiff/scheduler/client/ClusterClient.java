package dev.skiff.scheduler.client;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;

/** The writes the scheduler makes through the API server. Failures are thrown. */
public interface ClusterClient {
  /** POST pods/{name}/binding. */
  void bind(Pod pod, String nodeName);

  /**
   * Sets {@code condition} in the pod status and the nominated node (null keeps it, "" clears it).
   */
  void updatePodStatus(Pod pod, PodCondition condition, String nominatedNodeName);

  /** Records an events.k8s.io/v1 Event; never throws. */
  void recordEvent(SchedulerEvent event);

  /**
   * Marks a preemption victim with the DisruptionTarget condition and deletes it gracefully,
   * recording a Preempted event.
   */
  void preemptPod(Pod victim, Pod preemptor, String nodeName);

  /** An events.k8s.io/v1 Event the scheduler reports about a pod. */
  record SchedulerEvent(
      Pod regarding,
      String reportingController,
      String type,
      String reason,
      String action,
      String note) {}

  /** Annotates an unbound WaitForFirstConsumer claim with the node chosen for provisioning. */
  void selectNodeForClaim(PersistentVolumeClaim claim, String nodeName);

  /** Pre-binds an available volume to a claim (claimRef), as the binder of the claim would. */
  void claimVolume(PersistentVolume volume, PersistentVolumeClaim claim);
}
