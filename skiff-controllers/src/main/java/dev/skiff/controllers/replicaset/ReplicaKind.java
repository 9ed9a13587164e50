package dev.skiff.controllers.replicaset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/**
 * What differs between ReplicaSets and ReplicationControllers: one controller serves both through
 * this view of their fields.
 */
public interface ReplicaKind<T extends HasMetadata> {
  /** The controller's name in --controllers and its event source, e.g. "replicaset". */
  String controllerName();

  String apiVersion();

  String kind();

  int replicas(T set);

  LabelSelector selector(T set);

  PodTemplateSpec template(T set);

  int minReadySeconds(T set);

  ReplicaStatus status(T set);

  /** A copy of the object carrying the given status. */
  T withStatus(T set, ReplicaStatus status);
}
