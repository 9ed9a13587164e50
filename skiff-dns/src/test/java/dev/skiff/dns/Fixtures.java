package dev.skiff.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import java.util.Map;

/** Services and EndpointSlices as the API would hold them, for index and server tests. */
final class Fixtures {
  private Fixtures() {}

  static Service clusterIp(String namespace, String name, String clusterIp, ServicePort... ports) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP(clusterIp)
        .withClusterIPs(clusterIp)
        .withPorts(ports)
        .endSpec()
        .build();
  }

  static Service dualStack(String namespace, String name, String... clusterIps) {
    Service service = clusterIp(namespace, name, clusterIps[0]);
    service.getSpec().setClusterIPs(List.of(clusterIps));
    return service;
  }

  static Service headless(String namespace, String name, ServicePort... ports) {
    return clusterIp(namespace, name, "None", ports);
  }

  static Service externalName(String namespace, String name, String externalName) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withType("ExternalName")
        .withExternalName(externalName)
        .endSpec()
        .build();
  }

  static ServicePort port(String name, String protocol, int port) {
    return new ServicePortBuilder().withName(name).withProtocol(protocol).withPort(port).build();
  }

  static EndpointPort endpointPort(String name, String protocol, int port) {
    return new EndpointPortBuilder().withName(name).withProtocol(protocol).withPort(port).build();
  }

  static Endpoint endpoint(String ip, String hostname, boolean ready) {
    return new EndpointBuilder()
        .withAddresses(ip)
        .withHostname(hostname)
        .withNewConditions()
        .withReady(ready)
        .endConditions()
        .build();
  }

  static EndpointSlice slice(
      String namespace, String service, List<EndpointPort> ports, Endpoint... endpoints) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(service + "-" + Integer.toHexString(List.of(endpoints).hashCode()))
        .withLabels(Map.of(RecordIndex.SERVICE_NAME_LABEL, service))
        .endMetadata()
        .withAddressType(
            endpoints.length > 0 && endpoints[0].getAddresses().getFirst().contains(":")
                ? "IPv6"
                : "IPv4")
        .withPorts(ports)
        .withEndpoints(endpoints)
        .build();
  }
}
