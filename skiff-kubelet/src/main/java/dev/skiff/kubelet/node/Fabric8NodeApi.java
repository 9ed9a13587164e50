package dev.skiff.kubelet.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.net.HttpURLConnection;
import java.util.Map;

/** {@link NodeApi} over the fabric8 client. */
public final class Fabric8NodeApi implements NodeApi {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

  private final KubernetesClient client;

  public Fabric8NodeApi(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Node registerNode(Node node) {
    try {
      return client.nodes().resource(node).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      Node existing = client.nodes().withName(node.getMetadata().getName()).get();
      if (existing == null) {
        throw e;
      }
      return existing;
    }
  }

  @Override
  public Node patchNodeStatus(String nodeName, NodeStatus status) {
    // A merge patch leaves the fields other writers own (volumesAttached ...) alone; the caller
    // carries other writers' conditions over, since a merge patch replaces the whole list.
    String patch = JSON.asJson(Map.of("status", status));
    return client.nodes().withName(nodeName).subresource("status").patch(MERGE, patch);
  }

  @Override
  public Lease getLease(String nodeName) {
    return client.leases().inNamespace(NodeLeases.NAMESPACE).withName(nodeName).get();
  }

  @Override
  public Lease createLease(Lease lease) {
    return client.leases().inNamespace(NodeLeases.NAMESPACE).resource(lease).create();
  }

  @Override
  public Lease updateLease(Lease lease) {
    return client.leases().inNamespace(NodeLeases.NAMESPACE).resource(lease).update();
  }
}
