package dev.skiff.proxy.state;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of every proxied service port and its endpoints, sorted by service port name (so the
 * rules generated from it are deterministic).
 */
public record ProxyState(
    Map<ServicePortName, ServicePortInfo> services,
    Map<ServicePortName, List<Endpoint>> endpoints) {

  public static final ProxyState EMPTY = new ProxyState(Map.of(), Map.of());

  public ProxyState {
    services = Collections.unmodifiableSortedMap(new TreeMap<>(services));
    TreeMap<ServicePortName, List<Endpoint>> sorted = new TreeMap<>();
    endpoints.forEach((k, v) -> sorted.put(k, v.stream().sorted().toList()));
    endpoints = Collections.unmodifiableSortedMap(sorted);
  }

  /** The endpoints of a service port, sorted by address, empty if it has none. */
  public List<Endpoint> endpointsOf(ServicePortName name) {
    return endpoints.getOrDefault(name, List.of());
  }

  /** Whether a service port is proxied identically in both snapshots. */
  public boolean sameAs(ProxyState other, ServicePortName name) {
    return java.util.Objects.equals(services.get(name), other.services.get(name))
        && endpointsOf(name).equals(other.endpointsOf(name));
  }
}
