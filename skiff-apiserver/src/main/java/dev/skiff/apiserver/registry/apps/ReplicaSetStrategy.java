package dev.skiff.apiserver.registry.apps;

import dev.skiff.apiserver.registry.Meta;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** ReplicaSets (and replication controllers): one replica, selectable by status.replicas. */
public final class ReplicaSetStrategy extends WorkloadStrategy {
  @Override
  protected void defaultSpec(ObjectNode spec) {
    Meta.defaultInt(spec, "replicas", 1);
  }

  @Override
  public Map<String, String> selectableFields(ObjectNode object) {
    return Map.of(
        "status.replicas", Long.toString(object.path("status").path("replicas").asLong(0)));
  }
}
