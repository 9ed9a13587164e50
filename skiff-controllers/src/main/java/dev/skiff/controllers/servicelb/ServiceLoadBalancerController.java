package dev.skiff.controllers.servicelb;

import dev.skiff.client.events.EventRecorder;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The service load balancer done locally, as k3s' servicelb: a Service of type LoadBalancer with no
 * {@code spec.loadBalancerClass} (or {@link #LOAD_BALANCER_CLASS}) gets {@code
 * status.loadBalancer.ingress} listing the IPs of the nodes that serve it (ipMode VIP), and
 * kube-proxy on every node forwards those IPs and the service ports to the endpoints. The list
 * follows the nodes (readiness, cordoning, the enablelb label, addresses). Two load balancers that
 * want one port on one node are resolved as host ports are: the holder keeps it and the other does
 * not get that node; a service left with no node stays Pending with a warning event. With {@code
 * externalTrafficPolicy: Local} only the nodes running a ready endpoint of the service are listed
 * (the others would drop the traffic), as k3s does. A service that stops being a LoadBalancer has
 * its ingress cleared.
 *
 * <p>Events, with the reasons of Kubernetes' service controller: EnsuringLoadBalancer and
 * EnsuredLoadBalancer when a service first gets its addresses, UpdatedLoadBalancer when they
 * change, UnAvailableLoadBalancer when no node can serve, SyncLoadBalancerFailed when its ports are
 * taken on every node, DeletingLoadBalancer and DeletedLoadBalancer when the type changes away.
 */
public final class ServiceLoadBalancerController implements Reconciler {
  /** The {@code spec.loadBalancerClass} this controller serves besides none. */
  public static final String LOAD_BALANCER_CLASS = "skiff.dev/servicelb";

  static final String IP_MODE_VIP = "VIP";
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /** Writes a service's status (the {@code services/status} subresource). */
  @FunctionalInterface
  public interface StatusWriter {
    void updateStatus(Service service);
  }

  private final Indexer<Service> services;
  private final Indexer<Node> nodes;
  private final Indexer<EndpointSlice> slices;
  private final StatusWriter writer;
  private final EventRecorder recorder;
  private final RateLimitingQueue<ObjectKey> queue;

  /** The last Pending reason reported per service, so a warning is not repeated each sync. */
  private final Map<ObjectKey, String> reported = new ConcurrentHashMap<>();

  public ServiceLoadBalancerController(
      Indexer<Service> services,
      Indexer<Node> nodes,
      Indexer<EndpointSlice> slices,
      StatusWriter writer,
      EventRecorder recorder,
      RateLimitingQueue<ObjectKey> queue) {
    this.services = services;
    this.nodes = nodes;
    this.slices = slices;
    this.writer = writer;
    this.recorder = recorder;
    this.queue = queue;
  }

  /** Whether this controller owns the service's load balancer. */
  public static boolean wantsLoadBalancer(Service service) {
    return service.getSpec() != null
        && "LoadBalancer".equals(service.getSpec().getType())
        && (service.getSpec().getLoadBalancerClass() == null
            || LOAD_BALANCER_CLASS.equals(service.getSpec().getLoadBalancerClass()));
  }

  public ResourceEventHandler<Service> serviceHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Service service) {
        if (wantsLoadBalancer(service) || NodePortClaims.hasIngress(service)) {
          queue.add(ObjectKey.of(service));
        }
      }

      @Override
      public void onUpdate(Service before, Service after) {
        boolean relevant =
            wantsLoadBalancer(before)
                || wantsLoadBalancer(after)
                || NodePortClaims.hasIngress(after);
        if (relevant
            && (!Objects.equals(before.getSpec(), after.getSpec())
                || !Objects.equals(before.getStatus(), after.getStatus()))) {
          queue.add(ObjectKey.of(after));
          // a port given up or a type changed away frees nodes for services waiting on them
          enqueueAll();
        }
      }

      @Override
      public void onDelete(Service service, boolean finalStateUnknown) {
        if (wantsLoadBalancer(service)) {
          // its own key forgets what was reported about it
          queue.add(ObjectKey.of(service));
          enqueueAll();
        }
      }
    };
  }

  public ResourceEventHandler<Node> nodeHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        enqueueAll();
      }

      @Override
      public void onUpdate(Node before, Node after) {
        if (!LoadBalancerNodes.fingerprint(before).equals(LoadBalancerNodes.fingerprint(after))) {
          enqueueAll();
        }
      }

      @Override
      public void onDelete(Node node, boolean finalStateUnknown) {
        enqueueAll();
      }
    };
  }

  /** A Local service's ingress follows where its ready endpoints run. */
  public ResourceEventHandler<EndpointSlice> endpointSliceHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(EndpointSlice slice) {
        enqueueLocalService(slice);
      }

      @Override
      public void onUpdate(EndpointSlice before, EndpointSlice after) {
        if (!Objects.equals(before.getEndpoints(), after.getEndpoints())) {
          enqueueLocalService(after);
        }
      }

      @Override
      public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
        enqueueLocalService(slice);
      }
    };
  }

  private void enqueueLocalService(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String name = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
    if (name == null) {
      return;
    }
    ObjectKey key = new ObjectKey(slice.getMetadata().getNamespace(), name);
    Service service = services.getByKey(key.cacheKey());
    if (service != null && wantsLoadBalancer(service) && localTraffic(service)) {
      queue.add(key);
    }
  }

  private void enqueueAll() {
    for (Service service : services.list()) {
      if (wantsLoadBalancer(service)) {
        queue.add(ObjectKey.of(service));
      }
    }
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Service service = services.getByKey(key.cacheKey());
    if (service == null) {
      reported.remove(key);
      return Result.done();
    }
    if (!wantsLoadBalancer(service)) {
      reported.remove(key);
      if (!"LoadBalancer".equals(service.getSpec().getType())
          && NodePortClaims.hasIngress(service)) {
        recorder.event(
            service, EventRecorder.NORMAL, "DeletingLoadBalancer", "Deleting load balancer");
        writer.updateStatus(withIngress(service, List.of()));
        recorder.event(
            service, EventRecorder.NORMAL, "DeletedLoadBalancer", "Deleted load balancer");
      }
      return Result.done();
    }
    List<Node> serving = LoadBalancerNodes.serving(nodes.list());
    List<Service> owned =
        services.list().stream().filter(ServiceLoadBalancerController::wantsLoadBalancer).toList();
    NodePortClaims.Placement placement = NodePortClaims.place(owned, serving).get(key);
    List<Node> listed = placement.nodes();
    if (localTraffic(service)) {
      Set<String> local = nodesWithReadyEndpoints(service);
      listed = listed.stream().filter(n -> local.contains(n.getMetadata().getName())).toList();
    }
    List<String> ips = LoadBalancerNodes.addresses(listed, service);
    List<String> before = ips(service);
    if (!ingress(service).equals(ips.stream().map(ip -> ip + " " + IP_MODE_VIP).toList())) {
      if (before.isEmpty() && !ips.isEmpty()) {
        recorder.event(
            service, EventRecorder.NORMAL, "EnsuringLoadBalancer", "Ensuring load balancer");
      }
      writer.updateStatus(
          withIngress(
              service,
              ips.stream()
                  .map(
                      ip ->
                          new LoadBalancerIngressBuilder()
                              .withIp(ip)
                              .withIpMode(IP_MODE_VIP)
                              .build())
                  .toList()));
      if (before.isEmpty() && !ips.isEmpty()) {
        recorder.event(
            service, EventRecorder.NORMAL, "EnsuredLoadBalancer", "Ensured load balancer");
      } else if (!ips.isEmpty()) {
        recorder.event(
            service,
            EventRecorder.NORMAL,
            "UpdatedLoadBalancer",
            "Updated LoadBalancer with new IPs: " + before + " -> " + ips);
      }
    }
    if (!ips.isEmpty()) {
      reported.put(key, "serving");
      return Result.done();
    }
    String pending = serving.isEmpty() ? "no nodes" : "conflicts " + placement.conflicts();
    if (!pending.equals(reported.put(key, pending))) {
      if (serving.isEmpty() || placement.conflicts().isEmpty()) {
        recorder.event(
            service,
            EventRecorder.WARNING,
            "UnAvailableLoadBalancer",
            "There are no available nodes for LoadBalancer");
      } else {
        recorder.event(
            service,
            EventRecorder.WARNING,
            "SyncLoadBalancerFailed",
            "Error syncing load balancer: no node has the service's ports free ("
                + String.join(", ", placement.conflicts())
                + "); the service stays Pending until they are released");
      }
    }
    return Result.done();
  }

  static boolean localTraffic(Service service) {
    return "Local".equals(service.getSpec().getExternalTrafficPolicy());
  }

  /** The nodes running a ready pod endpoint of the service, from its EndpointSlices. */
  private Set<String> nodesWithReadyEndpoints(Service service) {
    Set<String> out = new HashSet<>();
    for (EndpointSlice slice : slices.list()) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      if (!Objects.equals(slice.getMetadata().getNamespace(), service.getMetadata().getNamespace())
          || labels == null
          || !service.getMetadata().getName().equals(labels.get(SERVICE_NAME_LABEL))
          || slice.getEndpoints() == null) {
        continue;
      }
      for (Endpoint endpoint : slice.getEndpoints()) {
        if (endpoint.getNodeName() != null
            && endpoint.getTargetRef() != null
            && "Pod".equals(endpoint.getTargetRef().getKind())
            && endpoint.getConditions() != null
            && Boolean.TRUE.equals(endpoint.getConditions().getReady())) {
          out.add(endpoint.getNodeName());
        }
      }
    }
    return out;
  }

  private static Service withIngress(Service service, List<LoadBalancerIngress> ingress) {
    return new ServiceBuilder(service)
        .editOrNewStatus()
        .withNewLoadBalancer()
        .withIngress(ingress.isEmpty() ? null : ingress)
        .endLoadBalancer()
        .endStatus()
        .build();
  }

  /** The current ingress as "ip ipMode" (hostname entries as "hostname"), in order. */
  private static List<String> ingress(Service service) {
    if (!NodePortClaims.hasIngress(service)) {
      return List.of();
    }
    return service.getStatus().getLoadBalancer().getIngress().stream()
        .map(i -> i.getIp() != null ? i.getIp() + " " + i.getIpMode() : "" + i.getHostname())
        .toList();
  }

  private static List<String> ips(Service service) {
    if (!NodePortClaims.hasIngress(service)) {
      return List.of();
    }
    return service.getStatus().getLoadBalancer().getIngress().stream()
        .map(i -> i.getIp() != null ? i.getIp() : i.getHostname())
        .toList();
  }
}
