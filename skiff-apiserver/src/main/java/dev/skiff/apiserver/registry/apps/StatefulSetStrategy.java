package dev.skiff.apiserver.registry.apps;

import dev.skiff.apiserver.registry.Meta;
import tools.jackson.databind.node.ObjectNode;

/** StatefulSets: OrderedReady, RollingUpdate with partition 0, Retain PVC policies. */
public final class StatefulSetStrategy extends WorkloadStrategy {
  @Override
  protected void defaultSpec(ObjectNode spec) {
    Meta.defaultInt(spec, "replicas", 1);
    Meta.defaultInt(spec, "revisionHistoryLimit", 10);
    Meta.defaultText(spec, "podManagementPolicy", "OrderedReady");
    ObjectNode strategy = Meta.child(spec, "updateStrategy");
    Meta.defaultText(strategy, "type", "RollingUpdate");
    if (Meta.text(strategy, "type").equals("RollingUpdate")) {
      Meta.defaultInt(Meta.child(strategy, "rollingUpdate"), "partition", 0);
    }
    ObjectNode retention = Meta.child(spec, "persistentVolumeClaimRetentionPolicy");
    Meta.defaultText(retention, "whenDeleted", "Retain");
    Meta.defaultText(retention, "whenScaled", "Retain");
  }
}
