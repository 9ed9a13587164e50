package dev.skiff.controllers.endpoints;

import dev.skiff.api.Json;
import dev.skiff.controllers.pods.Pods;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.ObjectWriter;
import dev.skiff.controllers.runtime.RateLimitingQueue;
import dev.skiff.controllers.runtime.Reconciler;
import dev.skiff.controllers.runtime.Result;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
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
import java.util.TreeMap;

/**
 * Keeps a core/v1 Endpoints object per selector Service: ready pod addresses in addresses, the rest
 * in notReadyAddresses (or all ready with publishNotReadyAddresses), grouped into subsets by
 * resolved port set, at most 1,000 addresses with the over-capacity annotation when truncated.
 */
public final class EndpointsController implements Reconciler {
  static final int MAX_ADDRESSES = 1000;
  static final String OVER_CAPACITY = "endpoints.kubernetes.io/over-capacity";
  static final String HEADLESS_LABEL = "service.kubernetes.io/headless";

  private final Indexer<Service> services;
  private final Indexer<Pod> pods;
  private final Indexer<Endpoints> endpoints;
  private final ObjectWriter<Endpoints> writer;
  private final RateLimitingQueue<ObjectKey> queue;

  public EndpointsController(
      Indexer<Service> services,
      Indexer<Pod> pods,
      Indexer<Endpoints> endpoints,
      ObjectWriter<Endpoints> writer,
      RateLimitingQueue<ObjectKey> queue) {
    this.services = services;
    this.pods = pods;
    this.endpoints = endpoints;
    this.writer = writer;
    this.queue = queue;
  }

  public ResourceEventHandler<Service> serviceHandler() {
    return ServicePods.serviceHandler(queue::add);
  }

  public ResourceEventHandler<Pod> podHandler() {
    return ServicePods.podHandler(services, queue::add);
  }

  @Override
  public Result reconcile(ObjectKey key) {
    Service service = services.getByKey(key.cacheKey());
    Endpoints current = endpoints.getByKey(key.cacheKey());
    if (service == null) {
      if (current != null) {
        try {
          writer.delete(current);
        } catch (KubernetesClientException e) {
          if (e.getCode() != 404) {
            throw e;
          }
        }
      }
      return Result.done();
    }
    if (!ServicePods.hasSelector(service)) {
      return Result.done();
    }
    boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    boolean headless = "None".equals(service.getSpec().getClusterIP());
    List<ServicePort> servicePorts =
        service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();

    // port set (as a sorted key) -> subset under construction
    Map<String, List<EndpointPort>> portsByKey = new LinkedHashMap<>();
    Map<String, List<EndpointAddress>> ready = new HashMap<>();
    Map<String, List<EndpointAddress>> notReady = new HashMap<>();
    int total = 0;
    List<Pod> selected =
        new Lister<>(pods)
            .namespace(key.namespace()).list().stream()
                .filter(pod -> ServicePods.selects(service, pod))
                .filter(pod -> ServicePods.eligible(pod, publishNotReady))
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    boolean truncated = false;
    for (Pod pod : selected) {
      List<EndpointPort> ports = new ArrayList<>();
      for (ServicePort port : servicePorts) {
        Optional<Integer> target = ServicePods.targetPort(pod, port);
        if (target.isEmpty()) {
          continue;
        }
        ports.add(
            new EndpointPortBuilder()
                .withName(port.getName())
                .withPort(target.get())
                .withProtocol(ServicePods.protocol(port.getProtocol()))
                .withAppProtocol(port.getAppProtocol())
                .build());
      }
      if (ports.isEmpty() && !(servicePorts.isEmpty() && headless)) {
        continue;
      }
      if (total >= MAX_ADDRESSES) {
        truncated = true;
        break;
      }
      total++;
      ports.sort(Comparator.comparing(p -> String.valueOf(p.getName()) + "/" + p.getPort()));
      String portKey = Json.MAPPER.writeValueAsString(ports);
      portsByKey.putIfAbsent(portKey, ports);
      EndpointAddress address = address(pod, service);
      if (publishNotReady || Pods.isReady(pod)) {
        ready.computeIfAbsent(portKey, k -> new ArrayList<>()).add(address);
      } else {
        notReady.computeIfAbsent(portKey, k -> new ArrayList<>()).add(address);
      }
    }
    List<EndpointSubset> subsets = new ArrayList<>();
    for (Map.Entry<String, List<EndpointPort>> entry : portsByKey.entrySet()) {
      EndpointSubset subset = new EndpointSubset();
      List<EndpointAddress> readyAddresses = ready.getOrDefault(entry.getKey(), List.of());
      List<EndpointAddress> notReadyAddresses = notReady.getOrDefault(entry.getKey(), List.of());
      subset.setAddresses(readyAddresses.isEmpty() ? null : sorted(readyAddresses));
      subset.setNotReadyAddresses(notReadyAddresses.isEmpty() ? null : sorted(notReadyAddresses));
      subset.setPorts(entry.getValue().isEmpty() ? null : entry.getValue());
      subsets.add(subset);
    }

    Map<String, String> labels =
        new TreeMap<>(
            service.getMetadata().getLabels() == null
                ? Map.of()
                : service.getMetadata().getLabels());
    if (headless) {
      labels.put(HEADLESS_LABEL, "");
    }
    Map<String, String> annotations = new TreeMap<>();
    if (current != null && current.getMetadata().getAnnotations() != null) {
      annotations.putAll(current.getMetadata().getAnnotations());
    }
    if (truncated) {
      annotations.put(OVER_CAPACITY, "truncated");
    } else {
      annotations.remove(OVER_CAPACITY);
    }
    if (current == null) {
      writer.create(
          new EndpointsBuilder()
              .withNewMetadata()
              .withNamespace(key.namespace())
              .withName(key.name())
              .withLabels(labels)
              .withAnnotations(annotations.isEmpty() ? null : annotations)
              .endMetadata()
              .withSubsets(subsets)
              .build());
      return Result.done();
    }
    Endpoints desired = Json.MAPPER.convertValue(current, Endpoints.class);
    desired.setSubsets(subsets);
    desired.getMetadata().setLabels(labels);
    desired.getMetadata().setAnnotations(annotations.isEmpty() ? null : annotations);
    if (same(current, desired)) {
      return Result.done();
    }
    writer.update(desired);
    return Result.done();
  }

  private static boolean same(Endpoints a, Endpoints b) {
    return Json.MAPPER
            .valueToTree(subsetsOrEmpty(a))
            .equals(Json.MAPPER.valueToTree(subsetsOrEmpty(b)))
        && Objects.equals(
            orEmpty(a.getMetadata().getLabels()), orEmpty(b.getMetadata().getLabels()))
        && Objects.equals(
            orEmpty(a.getMetadata().getAnnotations()), orEmpty(b.getMetadata().getAnnotations()));
  }

  private static List<EndpointSubset> subsetsOrEmpty(Endpoints e) {
    return e.getSubsets() == null ? List.of() : e.getSubsets();
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  private static List<EndpointAddress> sorted(List<EndpointAddress> addresses) {
    List<EndpointAddress> copy = new ArrayList<>(addresses);
    copy.sort(Comparator.comparing(EndpointAddress::getIp));
    return copy;
  }

  private static EndpointAddress address(Pod pod, Service service) {
    EndpointAddressBuilder builder =
        new EndpointAddressBuilder()
            .withIp(pod.getStatus().getPodIP())
            .withNodeName(
                pod.getSpec() == null
                        || pod.getSpec().getNodeName() == null
                        || pod.getSpec().getNodeName().isEmpty()
                    ? null
                    : pod.getSpec().getNodeName())
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
