package dev.skiff.apiserver;

import dev.skiff.api.Json;
import dev.skiff.apiserver.authz.Loopback;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

/**
 * The {@code default/kubernetes} Service every cluster has: the first cluster IP, port 443 named
 * https, and endpoints pointing at this API server, so pods reach the API by a stable name.
 */
final class KubernetesService {
  private KubernetesService() {}

  /** Creates the service and its endpoints unless they exist; earlier objects are left alone. */
  static void ensure(Loopback api, String clusterIp, String address, int port) {
    createIfAbsent(
        api,
        "/api/v1/namespaces/default/services",
        """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes",
         "labels":{"component":"apiserver","provider":"kubernetes"}},
         "spec":{"type":"ClusterIP","clusterIP":"%s","sessionAffinity":"None",
          "ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":%d}]}}"""
            .formatted(clusterIp, port));
    createIfAbsent(
        api,
        "/api/v1/namespaces/default/endpoints",
        """
        {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"kubernetes",
         "labels":{"endpointslice.kubernetes.io/skip-mirror":"true"}},
         "subsets":[{"addresses":[{"ip":"%s"}],
          "ports":[{"name":"https","port":%d,"protocol":"TCP"}]}]}"""
            .formatted(address, port));
    createIfAbsent(
        api,
        "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        """
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"kubernetes",
         "labels":{"kubernetes.io/service-name":"kubernetes"}},
         "addressType":"IPv4",
         "endpoints":[{"addresses":["%s"],"conditions":{"ready":true}}],
         "ports":[{"name":"https","port":%d,"protocol":"TCP"}]}"""
            .formatted(address, port));
  }

  /**
   * The address pods use to reach this server: the bind address, or for a wildcard bind the
   * machine's first non-loopback IPv4 address (loopback when it has none).
   */
  static String advertiseAddress(String bindAddress) {
    if (!bindAddress.isEmpty() && !bindAddress.equals("0.0.0.0") && !bindAddress.equals("::")) {
      return bindAddress;
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
            return address.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      // no interfaces readable: loopback below
    }
    return "127.0.0.1";
  }

  private static void createIfAbsent(Loopback api, String collectionPath, String json) {
    api.createIfAbsent(collectionPath, Json.parseObject(json.getBytes(StandardCharsets.UTF_8)));
  }
}
