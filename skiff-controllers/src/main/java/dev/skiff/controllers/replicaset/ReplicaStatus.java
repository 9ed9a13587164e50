package dev.skiff.controllers.replicaset;

import java.util.Optional;

/**
 * The status a ReplicaSet or ReplicationController reports.
 *
 * @param replicaFailure the ReplicaFailure condition, present while creating or deleting fails
 */
public record ReplicaStatus(
    int replicas,
    int fullyLabeledReplicas,
    int readyReplicas,
    int availableReplicas,
    long observedGeneration,
    Optional<ReplicaFailure> replicaFailure) {

  /** The ReplicaFailure condition (status True). */
  public record ReplicaFailure(String reason, String message, String lastTransitionTime) {}

  /** Equal except for the condition's transition time: whether a status write is needed. */
  public boolean sameAs(ReplicaStatus other) {
    return replicas == other.replicas
        && fullyLabeledReplicas == other.fullyLabeledReplicas
        && readyReplicas == other.readyReplicas
        && availableReplicas == other.availableReplicas
        && observedGeneration == other.observedGeneration
        && replicaFailure
            .map(f -> f.reason() + f.message())
            .equals(other.replicaFailure.map(f -> f.reason() + f.message()));
  }
}
