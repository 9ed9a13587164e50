package dev.skiff.proxy.state;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tracks Services and EndpointSlices as informers report them and turns them into {@link
 * ProxyState} snapshots. Every change bumps a generation, so the sync loop knows whether anything
 * happened since its last snapshot.
 */
public final class ServiceChangeTracker {
  /** Services labelled with this are handled by another proxy, as in Kubernetes. */
  public static final String SERVICE_PROXY_NAME_LABEL = "service.kubernetes.io/service-proxy-name";

  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  static final int DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

  private final String nodeName;
  private final Map<String, Service> services = new ConcurrentHashMap<>();
  private final Map<String, EndpointSlice> slices = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();

  public ServiceChangeTracker(String nodeName) {
    this.nodeName = nodeName;
  }

  public void serviceChanged(Service service) {
    services.put(
        key(service.getMetadata().getNamespace(), service.getMetadata().getName()), service);
    generation.incrementAndGet();
  }

  public void serviceDeleted(Service service) {
    services.remove(key(service.getMetadata().getNamespace(), service.getMetadata().getName()));
    generation.incrementAndGet();
  }

  public void sliceChanged(EndpointSlice slice) {
    slices.put(key(slice.getMetadata().getNamespace(), slice.getMetadata().getName()), slice);
    generation.incrementAndGet();
  }

  public void sliceDeleted(EndpointSlice slice) {
    slices.remove(key(slice.getMetadata().getNamespace(), slice.getMetadata().getName()));
    generation.incrementAndGet();
  }

  /** Increases with every change reported. */
  public long generation() {
    return generation.get();
  }

  public ProxyState snapshot() {
    return build(services.values(), slices.values(), nodeName);
  }

  /** The proxy state of the given objects as seen from node {@code nodeName}. */
  public static ProxyState build(
      Iterable<Service> services, Iterable<EndpointSlice> slices, String nodeName) {
    Map<ServicePortName, ServicePortInfo> ports = new HashMap<>();
    for (Service service : services) {
      ports.putAll(servicePorts(service));
    }
    Map<ServicePortName, Map<String, Endpoint>> endpoints = new HashMap<>();
    for (EndpointSlice slice : slices) {
      if (!"IPv4".equals(slice.getAddressType()) || slice.getMetadata().getLabels() == null) {
        continue;
      }
      String serviceName = slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
      if (serviceName == null || slice.getPorts() == null || slice.getEndpoints() == null) {
        continue;
      }
      for (EndpointPort port : slice.getPorts()) {
        if (port.getPort() == null) {
          continue;
        }
        ServicePortName name =
            new ServicePortName(
                slice.getMetadata().getNamespace(),
                serviceName,
                port.getName(),
                Objects.requireNonNullElse(port.getProtocol(), "TCP"));
        if (!ports.containsKey(name)) {
          continue;
        }
        Map<String, Endpoint> byAddress =
            endpoints.computeIfAbsent(name, n -> new LinkedHashMap<>());
        for (var ep : slice.getEndpoints()) {
          if (ep.getAddresses() == null || ep.getAddresses().isEmpty()) {
            continue;
          }
          Endpoint endpoint = endpoint(ep.getAddresses().getFirst(), port.getPort(), ep, nodeName);
          // The same address in two slices (during a slice hand-over): the ready one wins.
          byAddress.merge(endpoint.toString(), endpoint, (a, b) -> a.ready() ? a : b);
        }
      }
    }
    Map<ServicePortName, List<Endpoint>> lists = new HashMap<>();
    endpoints.forEach((k, v) -> lists.put(k, new ArrayList<>(v.values())));
    return new ProxyState(ports, lists);
  }

  private static Endpoint endpoint(
      String ip, int port, io.fabric8.kubernetes.api.model.discovery.v1.Endpoint ep, String node) {
    EndpointConditions c = ep.getConditions();
    boolean ready = c == null || c.getReady() == null || c.getReady();
    boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
    boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
    return new Endpoint(
        ip, port, ready, serving, terminating, Objects.equals(ep.getNodeName(), node));
  }

  /** The proxied ports of a service: none for headless, ExternalName or foreign-proxy services. */
  static Map<ServicePortName, ServicePortInfo> servicePorts(Service service) {
    ServiceSpec spec = service.getSpec();
    Map<String, String> labels = service.getMetadata().getLabels();
    if (spec == null
        || spec.getPorts() == null
        || "ExternalName".equals(spec.getType())
        || spec.getClusterIP() == null
        || spec.getClusterIP().isEmpty()
        || "None".equals(spec.getClusterIP())
        || (labels != null && labels.containsKey(SERVICE_PROXY_NAME_LABEL))) {
      return Map.of();
    }
    boolean external = "NodePort".equals(spec.getType()) || "LoadBalancer".equals(spec.getType());
    int affinity = 0;
    if ("ClientIP".equals(spec.getSessionAffinity())) {
      affinity = DEFAULT_AFFINITY_TIMEOUT_SECONDS;
      if (spec.getSessionAffinityConfig() != null
          && spec.getSessionAffinityConfig().getClientIP() != null
          && spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds() != null) {
        affinity = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
      }
    }
    List<String> lbIPs = new ArrayList<>();
    if ("LoadBalancer".equals(spec.getType())
        && service.getStatus() != null
        && service.getStatus().getLoadBalancer() != null
        && service.getStatus().getLoadBalancer().getIngress() != null) {
      for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
        // ipMode Proxy: the load balancer delivers to the nodes itself, the IP is not local here
        if (ingress.getIp() != null
            && !ingress.getIp().isEmpty()
            && !"Proxy".equals(ingress.getIpMode())) {
          lbIPs.add(ingress.getIp());
        }
      }
    }
    List<String> externalIPs = spec.getExternalIPs() == null ? List.of() : spec.getExternalIPs();
    boolean externalLocal =
        (external || !externalIPs.isEmpty()) && "Local".equals(spec.getExternalTrafficPolicy());
    boolean internalLocal = "Local".equals(spec.getInternalTrafficPolicy());
    Map<ServicePortName, ServicePortInfo> result = new HashMap<>();
    for (ServicePort port : spec.getPorts()) {
      ServicePortName name =
          new ServicePortName(
              service.getMetadata().getNamespace(),
              service.getMetadata().getName(),
              port.getName(),
              Objects.requireNonNullElse(port.getProtocol(), "TCP"));
      int nodePort = external && port.getNodePort() != null ? port.getNodePort() : 0;
      result.put(
          name,
          new ServicePortInfo(
              name,
              spec.getClusterIP(),
              port.getPort(),
              nodePort,
              externalIPs,
              lbIPs,
              affinity,
              externalLocal,
              internalLocal));
    }
    return result;
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
