package dev.skiff.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;

/** Services and EndpointSlices for proxy tests. */
public final class Fixtures {
  private Fixtures() {}

  public static ServiceBuilder service(String ns, String name, String clusterIP, int port) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP(clusterIP)
        .addNewPort()
        .withName("http")
        .withProtocol("TCP")
        .withPort(port)
        .endPort()
        .endSpec();
  }

  public static Service clusterIP(String ns, String name, String clusterIP, int port) {
    return service(ns, name, clusterIP, port).build();
  }

  /** One endpoint of a slice: address, node, ready, serving, terminating. */
  public record Ep(String ip, String node, boolean ready, boolean serving, boolean terminating) {
    public static Ep ready(String ip, String node) {
      return new Ep(ip, node, true, true, false);
    }
  }

  public static EndpointSlice slice(String ns, String service, int port, Ep... endpoints) {
    return slice(ns, service, service + "-abc", "http", "TCP", port, endpoints);
  }

  public static EndpointSlice slice(
      String ns,
      String service,
      String sliceName,
      String portName,
      String protocol,
      int port,
      Ep... endpoints) {
    List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> eps = new ArrayList<>();
    for (Ep ep : endpoints) {
      eps.add(
          new EndpointBuilder()
              .withAddresses(ep.ip())
              .withNodeName(ep.node())
              .withNewConditions()
              .withReady(ep.ready())
              .withServing(ep.serving())
              .withTerminating(ep.terminating())
              .endConditions()
              .build());
    }
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(sliceName)
        .addToLabels("kubernetes.io/service-name", service)
        .endMetadata()
        .withAddressType("IPv4")
        .addNewPort()
        .withName(portName)
        .withProtocol(protocol)
        .withPort(port)
        .endPort()
        .withEndpoints(eps)
        .build();
  }
}
