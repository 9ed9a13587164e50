package dev.skiff.kubelet.node;

import dev.skiff.client.Timestamps;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Duration;
import java.time.Instant;

/**
 * The node heartbeat Lease the kubelet keeps in {@code kube-node-lease}: named after the node,
 * owned by the Node object, held by the node, renewed every quarter of its duration.
 */
public final class NodeLeases {
  public static final String NAMESPACE = "kube-node-lease";
  public static final int LEASE_DURATION_SECONDS = 40;

  /** The kubelet renews at a quarter of the lease duration, so three renewals may fail in a row. */
  public static final Duration RENEW_INTERVAL = Duration.ofSeconds(LEASE_DURATION_SECONDS / 4);

  private NodeLeases() {}

  public static Lease newLease(String nodeName, String nodeUid, Instant now) {
    LeaseBuilder builder =
        new LeaseBuilder()
            .withNewMetadata()
            .withName(nodeName)
            .withNamespace(NAMESPACE)
            .endMetadata();
    if (nodeUid != null) {
      builder
          .editMetadata()
          .addNewOwnerReference()
          .withApiVersion("v1")
          .withKind("Node")
          .withName(nodeName)
          .withUid(nodeUid)
          .endOwnerReference()
          .endMetadata();
    }
    return builder
        .withNewSpec()
        .withHolderIdentity(nodeName)
        .withLeaseDurationSeconds(LEASE_DURATION_SECONDS)
        .withRenewTime(Timestamps.microTime(now))
        .endSpec()
        .build();
  }

  /**
   * A copy of {@code lease} renewed at {@code now}, keeping its resourceVersion for the update and
   * pointing its owner reference at the node's current uid (a node registered again has a new one).
   */
  public static Lease renewed(Lease lease, String nodeName, String nodeUid, Instant now) {
    Lease fresh = newLease(nodeName, nodeUid, now);
    Lease copy = new LeaseBuilder(lease).withSpec(fresh.getSpec()).build();
    if (nodeUid != null) {
      copy.getMetadata().setOwnerReferences(fresh.getMetadata().getOwnerReferences());
    }
    return copy;
  }
}
