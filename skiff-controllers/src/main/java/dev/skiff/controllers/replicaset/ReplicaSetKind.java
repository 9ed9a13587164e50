package dev.skiff.controllers.replicaset;

import dev.skiff.api.Json;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** apps/v1 ReplicaSet. */
public final class ReplicaSetKind implements ReplicaKind<ReplicaSet> {
  public static final ReplicaSetKind INSTANCE = new ReplicaSetKind();

  @Override
  public String controllerName() {
    return "replicaset";
  }

  @Override
  public String apiVersion() {
    return "apps/v1";
  }

  @Override
  public String kind() {
    return "ReplicaSet";
  }

  @Override
  public int replicas(ReplicaSet set) {
    Integer replicas = set.getSpec() == null ? null : set.getSpec().getReplicas();
    return replicas == null ? 1 : replicas;
  }

  @Override
  public LabelSelector selector(ReplicaSet set) {
    return set.getSpec() == null ? null : set.getSpec().getSelector();
  }

  @Override
  public PodTemplateSpec template(ReplicaSet set) {
    return set.getSpec() == null ? null : set.getSpec().getTemplate();
  }

  @Override
  public int minReadySeconds(ReplicaSet set) {
    Integer seconds = set.getSpec() == null ? null : set.getSpec().getMinReadySeconds();
    return seconds == null ? 0 : seconds;
  }

  @Override
  public ReplicaStatus status(ReplicaSet set) {
    ReplicaSetStatus status = set.getStatus() == null ? new ReplicaSetStatus() : set.getStatus();
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
        orZero(status.getReplicas()),
        orZero(status.getFullyLabeledReplicas()),
        orZero(status.getReadyReplicas()),
        orZero(status.getAvailableReplicas()),
        status.getObservedGeneration() == null ? 0 : status.getObservedGeneration(),
        failure);
  }

  @Override
  public ReplicaSet withStatus(ReplicaSet set, ReplicaStatus status) {
    ReplicaSet copy = Json.MAPPER.convertValue(set, ReplicaSet.class);
    ReplicaSetStatus old = set.getStatus() == null ? new ReplicaSetStatus() : set.getStatus();
    List<ReplicaSetCondition> conditions = new ArrayList<>();
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
                    new ReplicaSetCondition(
                        f.lastTransitionTime(),
                        f.message(),
                        f.reason(),
                        "True",
                        "ReplicaFailure")));
    ReplicaSetStatus next = new ReplicaSetStatus();
    next.setReplicas(status.replicas());
    next.setFullyLabeledReplicas(status.fullyLabeledReplicas());
    next.setReadyReplicas(status.readyReplicas());
    next.setAvailableReplicas(status.availableReplicas());
    next.setObservedGeneration(status.observedGeneration());
    next.setTerminatingReplicas(old.getTerminatingReplicas());
    next.setConditions(conditions.isEmpty() ? null : conditions);
    copy.setStatus(next);
    return copy;
  }

  static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
