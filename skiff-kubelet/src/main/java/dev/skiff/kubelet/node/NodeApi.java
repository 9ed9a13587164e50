package dev.skiff.kubelet.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;

/**
 * The API calls a node's heartbeat makes. Failures are {@link
 * io.fabric8.kubernetes.client.KubernetesClientException}s carrying the HTTP code (404 NotFound,
 * 409 Conflict ...), as the fabric8 client throws them.
 */
public interface NodeApi {

  /** Creates the node, or returns the existing one of that name (a kubelet restart). */
  Node registerNode(Node node);

  /** Writes the node's status through {@code nodes/status}; returns the stored node. */
  Node patchNodeStatus(String nodeName, NodeStatus status);

  /** The node's lease, or null when there is none. */
  Lease getLease(String nodeName);

  Lease createLease(Lease lease);

  /** Replaces the lease; fails with 409 when its resourceVersion is stale. */
  Lease updateLease(Lease lease);
}
