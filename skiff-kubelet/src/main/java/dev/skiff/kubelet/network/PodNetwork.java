package dev.skiff.kubelet.network;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's part of the pod network, set up in order: wait for the node's podCIDR, write the CNI
 * configuration containerd reads, enable forwarding, masquerade traffic leaving the cluster, and
 * route to the other nodes' pods.
 */
public final class PodNetwork implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PodNetwork.class);

  private final String podCidr;
  private final Path cniConfig;
  private final NodeRouteSync routes;

  private PodNetwork(String podCidr, Path cniConfig, NodeRouteSync routes) {
    this.podCidr = podCidr;
    this.cniConfig = cniConfig;
    this.routes = routes;
  }

  /** Sets the node's pod network up; the Node must be registered already. */
  public static PodNetwork start(KubernetesClient client, PodNetworkOptions options) {
    Node node = awaitPodCidr(client, options);
    String podCidr = node.getSpec().getPodCIDR();
    boolean vxlan = options.backend() == PodNetworkOptions.Backend.VXLAN;
    Path cniConfig =
        CniConfig.write(
            options.cniConfDir(), podCidr, options.ipamDataDir(), vxlan ? VxlanRoutes.POD_MTU : 0);
    Forwarding.enable(options.commands());
    new Masquerade(options.commands(), options.clusterCidr()).apply();
    NodeRouteSync routes =
        vxlan
            ? new VxlanRoutes(
                    client, options.nodeName(), options.commands(), internalIp(node), podCidr)
                .start()
            : new HostGwRoutes(client, options.nodeName(), options.commands()).start();
    log.info(
        "event=pod_network_ready node={} podCIDR={} backend={} cniConfig={}",
        options.nodeName(),
        podCidr,
        options.backend(),
        cniConfig);
    return new PodNetwork(podCidr, cniConfig, routes);
  }

  /** Waits until the node IPAM controller has assigned the node a podCIDR; returns the Node. */
  public static Node awaitPodCidr(KubernetesClient client, PodNetworkOptions options) {
    return client
        .nodes()
        .withName(options.nodeName())
        .waitUntilCondition(
            n -> n != null && n.getSpec() != null && n.getSpec().getPodCIDR() != null,
            options.podCidrTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private static String internalIp(Node node) {
    if (node.getStatus() != null && node.getStatus().getAddresses() != null) {
      for (var address : node.getStatus().getAddresses()) {
        if ("InternalIP".equals(address.getType()) && Cidr.isIpv4(address.getAddress())) {
          return address.getAddress();
        }
      }
    }
    throw new IllegalStateException(
        "vxlan backend: node " + node.getMetadata().getName() + " has no IPv4 InternalIP");
  }

  public String podCidr() {
    return podCidr;
  }

  public Path cniConfig() {
    return cniConfig;
  }

  /** Stops following Nodes; routes, rules and the CNI configuration stay for running pods. */
  @Override
  public void close() {
    routes.close();
  }
}
