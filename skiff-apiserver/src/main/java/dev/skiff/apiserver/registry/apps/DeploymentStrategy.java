package dev.skiff.apiserver.registry.apps;

import dev.skiff.apiserver.registry.Meta;
import tools.jackson.databind.node.ObjectNode;

/** Deployments: RollingUpdate 25%/25%, one replica, ten revisions, 600 s progress deadline. */
public final class DeploymentStrategy extends WorkloadStrategy {
  @Override
  protected void defaultSpec(ObjectNode spec) {
    Meta.defaultInt(spec, "replicas", 1);
    Meta.defaultInt(spec, "revisionHistoryLimit", 10);
    Meta.defaultInt(spec, "progressDeadlineSeconds", 600);
    ObjectNode strategy = Meta.child(spec, "strategy");
    Meta.defaultText(strategy, "type", "RollingUpdate");
    if (Meta.text(strategy, "type").equals("RollingUpdate")) {
      ObjectNode rolling = Meta.child(strategy, "rollingUpdate");
      if (!rolling.hasNonNull("maxUnavailable")) {
        rolling.put("maxUnavailable", "25%");
      }
      if (!rolling.hasNonNull("maxSurge")) {
        rolling.put("maxSurge", "25%");
      }
    }
  }
}
