package dev.skiff.apiserver;

import dev.skiff.api.Json;
import dev.skiff.apiserver.authz.Loopback;
import java.nio.charset.StandardCharsets;

/**
 * The {@code kube-system/kube-dns} Service pods' resolv.conf points at: the cluster DNS IP (the
 * kubelet's {@code --cluster-dns}), ports 53 UDP and TCP, and no selector. Every agent serves DNS
 * on its node IP; the cluster-dns controller keeps the Service's EndpointSlice listing the Ready
 * nodes.
 */
final class ClusterDnsService {
  private ClusterDnsService() {}

  /**
   * Creates the service unless it exists; an existing one is left alone (a cluster IP cannot
   * change).
   */
  static void ensure(Loopback api, String clusterIp) {
    createIfAbsent(
        api,
        "/api/v1/namespaces/kube-system/services",
        """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns",
         "labels":{"k8s-app":"kube-dns","kubernetes.io/cluster-service":"true",
          "kubernetes.io/name":"CoreDNS"}},
         "spec":{"type":"ClusterIP","clusterIP":"%s","sessionAffinity":"None",
          "ports":[{"name":"dns","port":53,"protocol":"UDP","targetPort":53},
           {"name":"dns-tcp","port":53,"protocol":"TCP","targetPort":53}]}}"""
            .formatted(clusterIp));
  }

  private static void createIfAbsent(Loopback api, String collectionPath, String json) {
    api.createIfAbsent(collectionPath, Json.parseObject(json.getBytes(StandardCharsets.UTF_8)));
  }
}
