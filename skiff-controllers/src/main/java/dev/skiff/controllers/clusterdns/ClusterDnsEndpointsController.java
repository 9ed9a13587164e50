package dev.skiff.controllers.clusterdns;

import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps the EndpointSlice of the selector-less {@code kube-system/kube-dns} Service listing the
 * InternalIP of every Ready node: each agent serves cluster DNS on its node IP, so the cluster DNS
 * IP reaches them through kube-proxy like any other service.
 */
public final class ClusterDnsEndpointsController implements Reconciler {
  public static final ObjectKey KEY = new ObjectKey("kube-system", "kube-dns");
  public static final String NAMESPACE = "kube-system";
  public static final String SERVICE = "kube-dns";
  public static final String SLICE = "kube-dns-nodes";
  public static final String MANAGED_BY = "clusterdns.skiff.dev";
  static final int PORT = 53;

  private final Indexer<Node> nodes;
  private final KubernetesClient client;

  public ClusterDnsEndpointsController(Indexer<Node> nodes, KubernetesClient client) {
    this.nodes = nodes;
    this.client = client;
  }

  /** Any node change may change the endpoint list: all events map to the one key. */
  public ResourceEventHandler<Node> handler(Runnable enqueue) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node node) {
        enqueue.run();
      }

      @Override
      public void onUpdate(Node oldNode, Node newNode) {
        enqueue.run();
      }

      @Override
      public void onDelete(Node node, boolean deletedFinalStateUnknown) {
        enqueue.run();
      }
    };
  }

  @Override
  public Result reconcile(ObjectKey key) {
    EndpointSlice desired = desired(nodes.list());
    var slices = client.discovery().v1().endpointSlices().inNamespace(NAMESPACE);
    EndpointSlice current = slices.withName(SLICE).get();
    if (current == null) {
      try {
        slices.resource(desired).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        return Result.requeue();
      }
      return Result.done();
    }
    if (summary(current).equals(summary(desired)) && labelsMatch(current)) {
      return Result.done();
    }
    desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    Map<String, String> labels = current.getMetadata().getLabels();
    if (labels != null) {
      labels.forEach((k, v) -> desired.getMetadata().getLabels().putIfAbsent(k, v));
    }
    slices.resource(desired).update();
    return Result.done();
  }

  /** What matters of a slice: each endpoint's addresses, node and readiness, and the ports. */
  private static List<String> summary(EndpointSlice slice) {
    List<String> out = new ArrayList<>();
    for (Endpoint endpoint :
        Objects.requireNonNullElse(slice.getEndpoints(), List.<Endpoint>of())) {
      out.add(
          endpoint.getAddresses()
              + "@"
              + endpoint.getNodeName()
              + ":"
              + (endpoint.getConditions() == null ? null : endpoint.getConditions().getReady()));
    }
    for (EndpointPort port :
        Objects.requireNonNullElse(slice.getPorts(), List.<EndpointPort>of())) {
      out.add(port.getName() + "/" + port.getProtocol() + "/" + port.getPort());
    }
    return out;
  }

  private static boolean labelsMatch(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    return labels != null
        && SERVICE.equals(labels.get("kubernetes.io/service-name"))
        && MANAGED_BY.equals(labels.get("endpointslice.kubernetes.io/managed-by"));
  }

  /** The slice for these nodes: one ready endpoint per Ready node with an InternalIP. */
  static EndpointSlice desired(List<Node> all) {
    List<Endpoint> endpoints = new ArrayList<>();
    all.stream()
        .filter(ClusterDnsEndpointsController::ready)
        .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
        .forEach(
            node ->
                internalIp(node)
                    .ifPresent(
                        ip ->
                            endpoints.add(
                                new EndpointBuilder()
                                    .withAddresses(ip)
                                    .withNodeName(node.getMetadata().getName())
                                    .withNewConditions()
                                    .withReady(true)
                                    .withServing(true)
                                    .withTerminating(false)
                                    .endConditions()
                                    .build())));
    List<EndpointPort> ports =
        List.of(
            new EndpointPortBuilder().withName("dns").withProtocol("UDP").withPort(PORT).build(),
            new EndpointPortBuilder()
                .withName("dns-tcp")
                .withProtocol("TCP")
                .withPort(PORT)
                .build());
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withName(SLICE)
        .withNamespace(NAMESPACE)
        .addToLabels("kubernetes.io/service-name", SERVICE)
        .addToLabels("endpointslice.kubernetes.io/managed-by", MANAGED_BY)
        .endMetadata()
        .withAddressType("IPv4")
        .withEndpoints(endpoints)
        .withPorts(ports)
        .build();
  }

  static boolean ready(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return false;
    }
    for (NodeCondition condition : node.getStatus().getConditions()) {
      if ("Ready".equals(condition.getType())) {
        return "True".equals(condition.getStatus());
      }
    }
    return false;
  }

  static Optional<String> internalIp(Node node) {
    if (node.getStatus() == null || node.getStatus().getAddresses() == null) {
      return Optional.empty();
    }
    for (NodeAddress address : node.getStatus().getAddresses()) {
      if ("InternalIP".equals(address.getType())
          && address.getAddress() != null
          && !address.getAddress().contains(":")) {
        return Optional.of(address.getAddress());
      }
    }
    return Optional.empty();
  }
}
