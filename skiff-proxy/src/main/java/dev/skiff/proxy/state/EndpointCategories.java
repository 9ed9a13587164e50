package dev.skiff.proxy.state;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Predicate;

/**
 * The endpoints a service port's traffic may go to, sorted as Kubernetes' {@code
 * CategorizeEndpoints} does: ready endpoints, or the serving-terminating ones when none is ready;
 * the same restricted to this node for Local traffic policies.
 *
 * @param cluster endpoints for Cluster-policy traffic (empty if no traffic uses the cluster policy)
 * @param local endpoints on this node for Local-policy traffic (empty if no traffic uses it)
 * @param allReachable the union, each endpoint once
 * @param hasAny whether the service has any usable endpoint anywhere in the cluster
 */
public record EndpointCategories(
    List<Endpoint> cluster, List<Endpoint> local, List<Endpoint> allReachable, boolean hasAny) {

  public EndpointCategories {
    cluster = List.copyOf(cluster);
    local = List.copyOf(local);
    allReachable = List.copyOf(allReachable);
  }

  public static EndpointCategories of(ServicePortInfo service, List<Endpoint> endpoints) {
    List<Endpoint> cluster = List.of();
    boolean hasAny = false;
    if (service.usesClusterEndpoints()) {
      cluster = filter(endpoints, Endpoint::ready);
      if (cluster.isEmpty()) {
        cluster = filter(endpoints, e -> e.serving() && e.terminating());
      }
      hasAny = !cluster.isEmpty();
    }
    if (!service.usesLocalEndpoints()) {
      return new EndpointCategories(cluster, List.of(), cluster, hasAny);
    }
    boolean localReady = false;
    boolean localServingTerminating = false;
    for (Endpoint e : endpoints) {
      if (e.ready()) {
        hasAny = true;
        localReady |= e.local();
      } else if (e.serving() && e.terminating()) {
        hasAny = true;
        localServingTerminating |= e.local();
      }
    }
    List<Endpoint> local = List.of();
    if (localReady) {
      local = filter(endpoints, e -> e.ready() && e.local());
    } else if (localServingTerminating) {
      local = filter(endpoints, e -> e.serving() && e.terminating() && e.local());
    }
    if (!service.usesClusterEndpoints()) {
      return new EndpointCategories(cluster, local, local, hasAny);
    }
    LinkedHashSet<Endpoint> all = new LinkedHashSet<>(cluster);
    all.addAll(local);
    return new EndpointCategories(cluster, local, new ArrayList<>(all), hasAny);
  }

  private static List<Endpoint> filter(List<Endpoint> endpoints, Predicate<Endpoint> keep) {
    return endpoints.stream().filter(keep).toList();
  }
}
