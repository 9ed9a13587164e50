package dev.skiff.controllers.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.pods.TestPods;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EndpointControllersTest {
  private static final Map<String, String> LABELS = Map.of("app", "web");

  private final FakeClock clock = new FakeClock();
  private final CacheImpl<Service> services = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final CacheImpl<Endpoints> endpoints = new CacheImpl<>();
  private final CacheImpl<EndpointSlice> slices = new CacheImpl<>();
  private final RecordingWriter<Endpoints> endpointsWriter = new RecordingWriter<>(endpoints);
  private final RecordingWriter<EndpointSlice> sliceWriter = new RecordingWriter<>(slices);
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final EndpointsController endpointsController =
      new EndpointsController(services, pods, endpoints, endpointsWriter, queue);
  private final EndpointSliceController sliceController =
      new EndpointSliceController(services, pods, slices, sliceWriter, queue);
  private final ObjectKey key = new ObjectKey("default", "web");

  @AfterEach
  void close() {
    queue.close();
  }

  private static Service service(boolean publishNotReady) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("web")
        .withUid("svc-uid")
        .endMetadata()
        .withNewSpec()
        .withSelector(LABELS)
        .withPublishNotReadyAddresses(publishNotReady)
        .addNewPort()
        .withName("http")
        .withPort(80)
        .withTargetPort(new IntOrString("web"))
        .endPort()
        .endSpec()
        .build();
  }

  private Pod pod(String name, String ip, boolean ready) {
    Pod pod = TestPods.pod(name, LABELS);
    pod.getSpec()
        .getContainers()
        .get(0)
        .setPorts(
            List.of(new ContainerPortBuilder().withName("web").withContainerPort(8080).build()));
    pod.getStatus().setPodIP(ip);
    TestPods.scheduled(pod, "n1");
    return ready ? TestPods.ready(pod, clock.instant()) : TestPods.running(pod);
  }

  @Test
  void endpointsSplitReadyAndNotReadyAndResolveNamedPorts() {
    services.put(service(false));
    pods.put(pod("a", "10.42.0.2", true));
    pods.put(pod("b", "10.42.0.3", false));
    pods.put(pod("no-ip", null, true));
    pods.put(TestPods.terminating(pod("going", "10.42.0.9", true)));
    pods.put(pod("other", "10.42.0.4", true));
    pods.get(pods.getByKey("default/other")).getMetadata().setLabels(Map.of("app", "db"));

    endpointsController.reconcile(key);

    Endpoints e = endpoints.getByKey("default/web");
    EndpointSubset subset = e.getSubsets().get(0);
    assertThat(e.getSubsets()).hasSize(1);
    assertThat(subset.getAddresses()).extracting(a -> a.getIp()).containsExactly("10.42.0.2");
    assertThat(subset.getNotReadyAddresses())
        .extracting(a -> a.getIp())
        .containsExactly("10.42.0.3");
    assertThat(subset.getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("http");
              assertThat(p.getPort()).isEqualTo(8080);
              assertThat(p.getProtocol()).isEqualTo("TCP");
            });
    assertThat(subset.getAddresses().get(0).getTargetRef().getName()).isEqualTo("a");
    assertThat(subset.getAddresses().get(0).getNodeName()).isEqualTo("n1");

    endpointsController.reconcile(key);
    assertThat(endpointsWriter.writes).containsExactly("create web");
  }

  @Test
  void publishNotReadyAddressesCountsEveryPodAsReady() {
    services.put(service(true));
    pods.put(pod("b", "10.42.0.3", false));

    endpointsController.reconcile(key);

    EndpointSubset subset = endpoints.getByKey("default/web").getSubsets().get(0);
    assertThat(subset.getAddresses()).extracting(a -> a.getIp()).containsExactly("10.42.0.3");
    assertThat(subset.getNotReadyAddresses()).isNull();
  }

  @Test
  void endpointsGoWithTheirService() {
    services.put(service(false));
    endpointsController.reconcile(key);
    services.remove(services.getByKey("default/web"));

    endpointsController.reconcile(key);

    assertThat(endpointsWriter.writes).containsExactly("create web", "delete web");
  }

  @Test
  void slicesCarryConditionsAndHoldAtMostOneHundredEndpoints() {
    services.put(service(false));
    for (int i = 0; i < 250; i++) {
      pods.put(pod(String.format("p%03d", i), "10.42." + (i / 200) + "." + (i % 200 + 2), true));
    }
    pods.put(TestPods.terminating(pod("zz-going", "10.42.9.9", true)));

    sliceController.reconcile(key);

    List<EndpointSlice> all = slices.list();
    assertThat(all).hasSize(3);
    assertThat(all).allSatisfy(s -> assertThat(s.getEndpoints()).hasSizeLessThanOrEqualTo(100));
    assertThat(all.stream().mapToInt(s -> s.getEndpoints().size()).sum()).isEqualTo(251);
    EndpointSlice any = all.get(0);
    assertThat(any.getMetadata().getLabels())
        .containsEntry("kubernetes.io/service-name", "web")
        .containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
    assertThat(any.getAddressType()).isEqualTo("IPv4");
    assertThat(any.getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(any.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("Service");
    Endpoint going =
        all.stream()
            .flatMap(s -> s.getEndpoints().stream())
            .filter(e -> e.getTargetRef().getName().equals("zz-going"))
            .findFirst()
            .orElseThrow();
    assertThat(going.getConditions().getTerminating()).isTrue();
    assertThat(going.getConditions().getReady()).isFalse();
    assertThat(going.getConditions().getServing()).isTrue();
  }

  @Test
  void slicesAreUpdatedInPlaceAndSurplusDeleted() {
    services.put(service(false));
    for (int i = 0; i < 150; i++) {
      pods.put(pod(String.format("p%03d", i), "10.42.1." + (i + 2), true));
    }
    sliceController.reconcile(key);
    assertThat(slices.list()).hasSize(2);

    for (int i = 1; i < 150; i++) {
      pods.remove(pods.getByKey(String.format("default/p%03d", i)));
    }
    sliceController.reconcile(key);

    assertThat(slices.list())
        .singleElement()
        .satisfies(s -> assertThat(s.getEndpoints()).hasSize(1));
    assertThat(sliceWriter.writes).hasSize(4).contains("create web-1", "create web-2");
    assertThat(sliceWriter.writes.subList(2, 4)).anyMatch(w -> w.startsWith("update"));
    assertThat(sliceWriter.writes.subList(2, 4)).anyMatch(w -> w.startsWith("delete"));
  }
}
