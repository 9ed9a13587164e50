package dev.skiff.apiserver.registry.apps;

import dev.skiff.apiserver.registry.Meta;
import tools.jackson.databind.node.ObjectNode;

/** DaemonSets: RollingUpdate with maxUnavailable 1 and maxSurge 0, ten revisions. */
public final class DaemonSetStrategy extends WorkloadStrategy {
  @Override
  protected void defaultSpec(ObjectNode spec) {
    Meta.defaultInt(spec, "revisionHistoryLimit", 10);
    ObjectNode strategy = Meta.child(spec, "updateStrategy");
    Meta.defaultText(strategy, "type", "RollingUpdate");
    if (Meta.text(strategy, "type").equals("RollingUpdate")) {
      ObjectNode rolling = Meta.child(strategy, "rollingUpdate");
      if (!rolling.hasNonNull("maxUnavailable")) {
        rolling.put("maxUnavailable", 1);
      }
      if (!rolling.hasNonNull("maxSurge")) {
        rolling.put("maxSurge", 0);
      }
    }
  }
}
