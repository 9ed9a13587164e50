package dev.skiff.apiserver.registry.core;

import dev.skiff.apiserver.registry.Meta;
import dev.skiff.apiserver.registry.ResourceStrategy;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** Nodes: selectable by spec.unschedulable; status is kept on create (kubelets register it). */
public final class NodeStrategy implements ResourceStrategy {
  @Override
  public Map<String, String> selectableFields(ObjectNode node) {
    return Map.of(
        "spec.unschedulable",
        Boolean.toString(node.path("spec").path("unschedulable").asBoolean(false)));
  }

  @Override
  public dev.skiff.apiserver.registry.Traits traits() {
    return dev.skiff.apiserver.registry.Traits.DEFAULT.withStatusKeptOnCreate();
  }

  @Override
  public void prepareForCreate(ObjectNode node) {
    Meta.child(node, "spec");
  }
}
