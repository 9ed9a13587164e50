package dev.skiff.kubelet.staticpod;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link StaticPods.MirrorPodClient} over the fabric8 client. */
public final class Fabric8MirrorPods implements StaticPods.MirrorPodClient {
  private static final Logger LOG = LoggerFactory.getLogger(Fabric8MirrorPods.class);

  private final KubernetesClient client;
  private final String nodeName;
  private volatile String nodeUid;

  public Fabric8MirrorPods(KubernetesClient client, String nodeName) {
    this.client = client;
    this.nodeName = nodeName;
  }

  @Override
  public Optional<String> nodeUid() {
    if (nodeUid == null) {
      Node node = client.nodes().withName(nodeName).get();
      if (node == null || node.getMetadata().getDeletionTimestamp() != null) {
        return Optional.empty();
      }
      nodeUid = node.getMetadata().getUid();
    }
    return Optional.of(nodeUid);
  }

  @Override
  public void create(Pod mirror) {
    try {
      client.pods().inNamespace(mirror.getMetadata().getNamespace()).resource(mirror).create();
      LOG.info(
          "mirror pod created pod={}/{}",
          mirror.getMetadata().getNamespace(),
          mirror.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }
}
