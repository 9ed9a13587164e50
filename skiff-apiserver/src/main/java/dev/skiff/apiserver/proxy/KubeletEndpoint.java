package dev.skiff.apiserver.proxy;

import dev.skiff.apiserver.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Where a node's kubelet listens: the node's preferred address and {@code
 * status.daemonEndpoints.kubeletEndpoint.Port}.
 */
record KubeletEndpoint(String host, int port) {
  static final int DEFAULT_PORT = 10250;

  /**
   * Address types in order of preference, as k3s configures kube-apiserver's {@code
   * --kubelet-preferred-address-types} (InternalIP first, so no DNS is needed).
   */
  static final List<String> PREFERRED_ADDRESS_TYPES =
      List.of("InternalIP", "ExternalIP", "Hostname", "InternalDNS", "ExternalDNS");

  /** The endpoint of a Node object; 503 ServiceUnavailable when it has no usable address. */
  static KubeletEndpoint of(JsonNode node) {
    JsonNode status = node.path("status");
    int port = status.path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
    if (port <= 0 || port > 65535) {
      port = DEFAULT_PORT;
    }
    JsonNode addresses = status.path("addresses");
    for (String type : PREFERRED_ADDRESS_TYPES) {
      for (JsonNode address : addresses) {
        String value = address.path("address").asString("");
        if (type.equals(address.path("type").asString("")) && !value.isEmpty()) {
          return new KubeletEndpoint(value, port);
        }
      }
    }
    List<String> known = new ArrayList<>();
    for (JsonNode address : addresses) {
      known.add(
          "{"
              + address.path("type").asString("")
              + " "
              + address.path("address").asString("")
              + "}");
    }
    throw ApiException.serviceUnavailable(
        "no preferred addresses found; known addresses: [" + String.join(" ", known) + "]");
  }

  /** {@code https://host:port} with IPv6 literals bracketed. */
  String baseUrl() {
    return "https://" + hostPort();
  }

  String hostPort() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
