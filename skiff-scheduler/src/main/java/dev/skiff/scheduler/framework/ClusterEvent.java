package dev.skiff.scheduler.framework;

/** A change in the cluster that may make unschedulable pods schedulable. */
public enum ClusterEvent {
  NODE_ADD,
  NODE_UPDATE,
  ASSIGNED_POD_ADD,
  ASSIGNED_POD_UPDATE,
  ASSIGNED_POD_DELETE,
  UNSCHEDULABLE_POD_UPDATE,
  PVC_CHANGE,
  PV_CHANGE,
  STORAGE_CLASS_CHANGE,
  NAMESPACE_CHANGE,
  /** Periodic flush and other unconditional moves. */
  WILDCARD
}
