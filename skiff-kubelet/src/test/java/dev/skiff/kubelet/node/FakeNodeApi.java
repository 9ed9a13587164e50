package dev.skiff.kubelet.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An in-memory API server for nodes and leases that records every call and can fail on demand. */
final class FakeNodeApi implements NodeApi {
  final Map<String, Node> nodes = new HashMap<>();
  final Map<String, Lease> leases = new HashMap<>();
  final List<String> calls = new ArrayList<>();
  int failNext;
  int failCode = 503;
  private long revision;
  private int uids;

  @Override
  public Node registerNode(Node node) {
    call("registerNode");
    Node existing = nodes.get(node.getMetadata().getName());
    if (existing != null) {
      return existing;
    }
    Node stored = new NodeBuilder(node).build();
    stored.getMetadata().setUid("uid-" + ++uids);
    stored.getMetadata().setResourceVersion(Long.toString(++revision));
    nodes.put(node.getMetadata().getName(), stored);
    return stored;
  }

  @Override
  public Node patchNodeStatus(String nodeName, NodeStatus status) {
    call("patchNodeStatus");
    Node node = nodes.get(nodeName);
    if (node == null) {
      throw new KubernetesClientException("not found", 404, null);
    }
    node.setStatus(status);
    node.getMetadata().setResourceVersion(Long.toString(++revision));
    return new NodeBuilder(node).build();
  }

  @Override
  public Lease getLease(String nodeName) {
    call("getLease");
    Lease lease = leases.get(nodeName);
    return lease == null ? null : new LeaseBuilder(lease).build();
  }

  @Override
  public Lease createLease(Lease lease) {
    call("createLease");
    if (leases.containsKey(lease.getMetadata().getName())) {
      throw new KubernetesClientException("exists", 409, null);
    }
    Lease stored = new LeaseBuilder(lease).build();
    stored.getMetadata().setResourceVersion(Long.toString(++revision));
    leases.put(lease.getMetadata().getName(), stored);
    return new LeaseBuilder(stored).build();
  }

  @Override
  public Lease updateLease(Lease lease) {
    call("updateLease");
    Lease current = leases.get(lease.getMetadata().getName());
    if (current == null) {
      throw new KubernetesClientException("not found", 404, null);
    }
    if (!current
        .getMetadata()
        .getResourceVersion()
        .equals(lease.getMetadata().getResourceVersion())) {
      throw new KubernetesClientException("conflict", 409, null);
    }
    Lease stored = new LeaseBuilder(lease).build();
    stored.getMetadata().setResourceVersion(Long.toString(++revision));
    leases.put(lease.getMetadata().getName(), stored);
    return new LeaseBuilder(stored).build();
  }

  /** Another writer touches the lease, so the heartbeat's copy goes stale. */
  void bumpLease(String name) {
    leases.get(name).getMetadata().setResourceVersion(Long.toString(++revision));
  }

  private void call(String name) {
    calls.add(name);
    if (failNext > 0) {
      failNext--;
      throw new KubernetesClientException("injected failure", failCode, null);
    }
  }
}
