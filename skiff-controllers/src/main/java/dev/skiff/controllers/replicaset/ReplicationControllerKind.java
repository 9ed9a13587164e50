package dev.skiff.controllers.replicaset;

import dev.skiff.api.Json;
import dev.skiff.controllers.runtime.Selectors;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerCondition;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** core/v1 ReplicationController: a ReplicaSet with a map selector. */
public final class ReplicationControllerKind implements ReplicaKind<ReplicationController> {
  public static final ReplicationControllerKind INSTANCE = new ReplicationControllerKind();

  @Override
  public String controllerName() {
    return "replicationcontroller";
  }

  @Override
  public String apiVersion() {
    return "v1";
  }

  @Override
  public String kind() {
    return "ReplicationController";
  }

  @Override
  public int replicas(ReplicationController set) {
    Integer replicas = set.getSpec() == null ? null : set.getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  @Override
  public LabelSelector selector(ReplicationController set) {
    return set.getSpec() == null ? null : Selectors.fromMap(set.getSpec().getSelector());
  }

  @Override
  public PodTemplateSpec template(ReplicationController set) {
    return set.getSpec() == null ? null : set.getSpec().getTemplate();
  }

  @Override
  public int minReadySeconds(ReplicationController set) {
    Integer seconds = set.getSpec() == null ? null : set.getSpec().getMinReadySeconds();
    return seconds == null ? 0 : seconds;
  }

  @Override
  public ReplicaStatus status(ReplicationController set) {
    ReplicationControllerStatus status =
        set.getStatus() == null ? new ReplicationControllerStatus() : set.getStatus();
    Optional<ReplicaStatus.ReplicaFailure> failure = Optional.empty();
    if (status.getConditions() != null) {
      failure =
          status.getConditions().stream()
              .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
              .findFirst()
              .map(
                  c ->
                      new ReplicaStatus.ReplicaFailure(
                          c.getReason(), c.getMessage(), c.getLastTransitionTime()));
    }
    return new ReplicaStatus(
        ReplicaSetKind.orZero(status.getReplicas()),
        ReplicaSetKind.orZero(status.getFullyLabeledReplicas()),
        ReplicaSetKind.orZero(status.getReadyReplicas()),
        ReplicaSetKind.orZero(status.getAvailableReplicas()),
        status.getObservedGeneration() == null ? 0 : status.getObservedGeneration(),
        failure);
  }

  @Override
  public ReplicationController withStatus(ReplicationController set, ReplicaStatus status) {
    ReplicationController copy = Json.MAPPER.convertValue(set, ReplicationController.class);
    ReplicationControllerStatus old =
        set.getStatus() == null ? new ReplicationControllerStatus() : set.getStatus();
    List<ReplicationControllerCondition> conditions = new ArrayList<>();
    if (old.getConditions() != null) {
      old.getConditions().stream()
          .filter(c -> !"ReplicaFailure".equals(c.getType()))
          .forEach(conditions::add);
    }
    status
        .replicaFailure()
        .ifPresent(
            f ->
                conditions.add(
                    new ReplicationControllerCondition(
                        f.lastTransitionTime(),
                        f.message(),
                        f.reason(),
                        "True",
                        "ReplicaFailure")));
    ReplicationControllerStatus next = new ReplicationControllerStatus();
    next.setReplicas(status.replicas());
    next.setFullyLabeledReplicas(status.fullyLabeledReplicas());
    next.setReadyReplicas(status.readyReplicas());
    next.setAvailableReplicas(status.availableReplicas());
    next.setObservedGeneration(status.observedGeneration());
    next.setConditions(conditions.isEmpty() ? null : conditions);
    copy.setStatus(next);
    return copy;
  }
}
