package dev.skiff.controllers.endpoints;

import dev.skiff.api.Json;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ControllerRefManager;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps discovery.k8s.io/v1 EndpointSlices per selector Service: one group of slices per resolved
 * port set, at most 100 endpoints each, with ready / serving / terminating conditions; existing
 * slices are updated in place, surplus slices deleted.
 */
public final class EndpointSliceController implements Reconciler {
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
  public static final String MANAGED_BY = "endpointslice-controller.k8s.io";
  static final int MAX_ENDPOINTS = 100;

  private final Indexer<Service> services;
  private final Indexer<Pod> pods;
  private final Indexer<EndpointSlice> slices;
  private final ObjectWriter<EndpointSlice> writer;
  private final RateLimitingQueue<ObjectKey> queue;

  public EndpointSliceController(
      Indexer<Service> services,
      Indexer<Pod> pods,
      Indexer<EndpointSlice> slices,
      ObjectWriter<EndpointSlice> writer,
      RateLimitingQueue<ObjectKey> queue) {
    this.services = services;
    this.pods = pods;
    this.slices = slices;
    this.writer = writer;
    this.queue = queue;
  }

  public ResourceEventHandler<Service> serviceHandler() {
    return ServicePods.serviceHandler(queue::add);
  }

  public ResourceEventHandler<Pod> podHandler() {
    return ServicePods.podHandler(services, queue::add);
  }

  public ResourceEventHandler<EndpointSlice> sliceHandler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(EndpointSlice slice) {}

      @Override
      public void onUpdate(EndpointSlice o, EndpointSlice slice) {
        enqueueOwner(slice);
      }

      @Override
      public void onDelete(EndpointSlice slice, boolean unknown) {
        enqueueOwner(slice);
      }
    };
  }

  private void enqueueOwner(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    if (labels != null
        && MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
        && labels.get(SERVICE_NAME_LABEL) != null) {
      queue.add(new ObjectKey(slice.getMetadata().getNamespace(), labels.get(SERVICE_NAME_LABEL)));
    }
  }

  private List<EndpointSlice> ownedSlices(ObjectKey key) {
    return new Lister<>(slices)
        .namespace(key.namespace()).list().stream()
            .filter(
                s ->
                    s.getMetadata().getLabels() != null
                        && key.name().equals(s.getMetadata().getLabels().get(SERVICE_NAME_LABEL))
                        && MANAGED_BY.equals(s.getMetadata().getLabels().get(MANAGED_BY_LABEL)))
            .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
            .toList();
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Service service = services.getByKey(key.cacheKey());
    List<EndpointSlice> existing = ownedSlices(key);
    if (service == null || !ServicePods.hasSelector(service)) {
      // deleted services' slices go with their owner reference (garbage collector)
      return Result.done();
    }
    boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    List<ServicePort> servicePorts =
        service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();

    Map<String, List<EndpointPort>> portsByKey = new LinkedHashMap<>();
    Map<String, List<Endpoint>> endpointsByKey = new LinkedHashMap<>();
    List<Pod> selected =
        new Lister<>(pods)
            .namespace(key.namespace()).list().stream()
                .filter(pod -> ServicePods.selects(service, pod))
                .filter(pod -> ServicePods.eligible(pod, true))
                .filter(pod -> !pod.getStatus().getPodIP().contains(":"))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    for (Pod pod : selected) {
      List<EndpointPort> ports = new ArrayList<>();
      for (ServicePort port : servicePorts) {
        Optional<Integer> target = ServicePods.targetPort(pod, port);
        target.ifPresent(
            p ->
                ports.add(
                    new EndpointPortBuilder()
                        .withName(port.getName() == null ? "" : port.getName())
                        .withPort(p)
                        .withProtocol(ServicePods.protocol(port.getProtocol()))
                        .withAppProtocol(port.getAppProtocol())
                        .build()));
      }
      if (ports.isEmpty() && !servicePorts.isEmpty()) {
        continue;
      }
      ports.sort(Comparator.comparing(p -> p.getName() + "/" + p.getPort()));
      String portKey = Json.MAPPER.writeValueAsString(ports);
      portsByKey.putIfAbsent(portKey, ports);
      endpointsByKey
          .computeIfAbsent(portKey, k -> new ArrayList<>())
          .add(endpoint(pod, service, publishNotReady));
    }

    // desired slices: per port set, chunks of MAX_ENDPOINTS
    List<EndpointSlice> desired = new ArrayList<>();
    for (Map.Entry<String, List<Endpoint>> entry : endpointsByKey.entrySet()) {
      List<Endpoint> all = entry.getValue();
      for (int from = 0; from < all.size(); from += MAX_ENDPOINTS) {
        desired.add(
            slice(
                service,
                portsByKey.get(entry.getKey()),
                all.subList(from, Math.min(all.size(), from + MAX_ENDPOINTS))));
      }
    }
    if (desired.isEmpty()) {
      // a service with no endpoints still gets one empty slice with its ports
      List<EndpointPort> ports = new ArrayList<>();
      for (ServicePort port : servicePorts) {
        if (port.getTargetPort() == null || port.getTargetPort().getIntVal() != null) {
          ports.add(
              new EndpointPortBuilder()
                  .withName(port.getName() == null ? "" : port.getName())
                  .withPort(
                      port.getTargetPort() == null
                          ? port.getPort()
                          : port.getTargetPort().getIntVal())
                  .withProtocol(ServicePods.protocol(port.getProtocol()))
                  .build());
        }
      }
      desired.add(slice(service, ports, List.of()));
    }

    // reuse existing slices with the same ports first, then any other existing slice
    List<EndpointSlice> unused = new ArrayList<>(existing);
    Map<EndpointSlice, EndpointSlice> updates = new HashMap<>();
    List<EndpointSlice> creates = new ArrayList<>();
    for (EndpointSlice want : desired) {
      EndpointSlice match =
          unused.stream()
              .filter(s -> Objects.equals(json(s.getPorts()), json(want.getPorts())))
              .findFirst()
              .orElse(unused.isEmpty() ? null : unused.get(0));
      if (match == null) {
        creates.add(want);
      } else {
        unused.remove(match);
        updates.put(match, want);
      }
    }
    for (Map.Entry<EndpointSlice, EndpointSlice> update : updates.entrySet()) {
      EndpointSlice current = update.getKey();
      EndpointSlice want = update.getValue();
      if (Objects.equals(json(current.getEndpoints()), json(want.getEndpoints()))
          && Objects.equals(json(current.getPorts()), json(want.getPorts()))
          && Objects.equals(current.getMetadata().getLabels(), want.getMetadata().getLabels())) {
        continue;
      }
      EndpointSlice next = Json.MAPPER.convertValue(current, EndpointSlice.class);
      next.setEndpoints(want.getEndpoints());
      next.setPorts(want.getPorts());
      next.getMetadata().setLabels(want.getMetadata().getLabels());
      writer.update(next);
    }
    creates.forEach(writer::create);
    for (EndpointSlice surplus : unused) {
      try {
        writer.delete(surplus);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
      }
    }
    return Result.done();
  }

  private static String json(Object value) {
    return Json.MAPPER.writeValueAsString(value == null ? List.of() : value);
  }

  private static EndpointSlice slice(
      Service service, List<EndpointPort> ports, List<Endpoint> endpoints) {
    Map<String, String> labels = new HashMap<>();
    if (service.getMetadata().getLabels() != null) {
      labels.putAll(service.getMetadata().getLabels());
    }
    labels.put(SERVICE_NAME_LABEL, service.getMetadata().getName());
    labels.put(MANAGED_BY_LABEL, MANAGED_BY);
    if ("None".equals(service.getSpec().getClusterIP())) {
      labels.put(EndpointsController.HEADLESS_LABEL, "");
    }
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(service.getMetadata().getNamespace())
        .withGenerateName(service.getMetadata().getName() + "-")
        .withLabels(labels)
        .withOwnerReferences(ControllerRefManager.controllerRef(service, "v1", "Service"))
        .endMetadata()
        .withAddressType("IPv4")
        .withPorts(ports)
        .withEndpoints(endpoints)
        .build();
  }

  private static Endpoint endpoint(Pod pod, Service service, boolean publishNotReady) {
    boolean terminating = Pods.isTerminating(pod);
    boolean serving = publishNotReady || Pods.isReady(pod);
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    EndpointBuilder builder =
        new EndpointBuilder()
            .withAddresses(pod.getStatus().getPodIP())
            .withNewConditions()
            .withReady(serving && !terminating)
            .withServing(serving)
            .withTerminating(terminating)
            .endConditions()
            .withNodeName(node == null || node.isEmpty() ? null : node)
            .withTargetRef(
                new ObjectReferenceBuilder()
                    .withKind("Pod")
                    .withNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .withUid(pod.getMetadata().getUid())
                    .build());
    String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
    if (hostname != null
        && !hostname.isEmpty()
        && Objects.equals(pod.getSpec().getSubdomain(), service.getMetadata().getName())) {
      builder.withHostname(hostname);
    }
    return builder.build();
  }
}
