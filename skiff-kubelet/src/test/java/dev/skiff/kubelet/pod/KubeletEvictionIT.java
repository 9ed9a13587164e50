package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.client.events.ClientEventRecorder;
import dev.skiff.client.events.EventCorrelator;
import dev.skiff.kubelet.Kubelet;
import dev.skiff.kubelet.KubeletOptions;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.eviction.EvictionSignals;
import dev.skiff.kubelet.eviction.NodePressure;
import dev.skiff.kubelet.eviction.Signal;
import dev.skiff.kubelet.eviction.Threshold;
import dev.skiff.kubelet.image.ImageGarbageCollector;
import dev.skiff.kubelet.node.NodeHealth;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node-pressure eviction through the assembled {@link Kubelet}: simulated memory pressure (injected
 * signals, no memory filled) evicts a pod bound to the node, which the API then shows Failed with
 * reason Evicted and an Evicted event, while the node reports MemoryPressure.
 */
class KubeletEvictionIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final String NODE = "eviction-it";
  private static final String IMAGE = "registry.local:5000/app:1.0";
  private static final long GI = 1L << 30;
  private static final long MI = 1L << 20;

  @TempDir Path dir;

  private final Map<Signal, EvictionSignals.Observation> observed = new ConcurrentHashMap<>();
  private FakeRuntimeService runtime;
  private CriClient cri;
  private Kubelet kubelet;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = cluster.client();
    runtime = new FakeRuntimeService(InstantSource.system());
    runtime.images.add(IMAGE);
    cri = runtime.client();
    observed.put(Signal.MEMORY_AVAILABLE, new EvictionSignals.Observation(4 * GI, 8 * GI));
    EvictionSignals signals =
        new EvictionSignals() {
          @Override
          public Map<Signal, Observation> observe() {
            return Map.copyOf(observed);
          }

          @Override
          public Map<String, Long> containerUsage(Pod pod, Signal signal) {
            return Map.of("app", 300 * MI);
          }
        };
    kubelet =
        new Kubelet(
            cluster.newClient(),
            NODE,
            cri,
            new PodTestFakes.FakeRuntimeConfig(dir),
            new PodTestFakes.FakeProbes(),
            new PodTestFakes.FakeHooks(),
            new ClientEventRecorder(
                client,
                "kubelet",
                NODE,
                InstantSource.system(),
                Executors.newVirtualThreadPerTaskExecutor(),
                new EventCorrelator()),
            new Fabric8PodApi(client),
            KubeletOptions.defaults(List.of("192.168.7.7"), new ProbeRelay())
                .withNodePressure(
                    new NodePressure(
                        Threshold.parse(Threshold.DEFAULTS),
                        ImageGarbageCollector.Policy.defaults(),
                        signals,
                        Duration.ofMillis(200),
                        Duration.ofHours(1),
                        Duration.ofMinutes(5))));
    kubelet.start();
  }

  @AfterEach
  void stop() {
    kubelet.close();
    cri.close();
    runtime.close();
  }

  private Pod apiPod(String name) {
    return client.pods().inNamespace("default").withName(name).get();
  }

  @Test
  void memoryPressureEvictsAPodAndTheNodeReportsIt() {
    Pod created =
        client
            .pods()
            .inNamespace("default")
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("hog")
                    .endMetadata()
                    .withNewSpec()
                    .withNodeName(NODE)
                    .addNewContainer()
                    .withName("app")
                    .withImage(IMAGE)
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "Running".equals(apiPod("hog").getStatus().getPhase()));
    assertThat(kubelet.withPressure(NodeHealth.HEALTHY).memoryPressure()).isFalse();

    observed.put(Signal.MEMORY_AVAILABLE, new EvictionSignals.Observation(50 * MI, 8 * GI));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "Failed".equals(apiPod("hog").getStatus().getPhase()));
    Pod evicted = apiPod("hog");
    String message =
        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi."
            + " Container app was using 300Mi, request is 0, has larger consumption of memory. ";
    assertThat(evicted.getStatus().getReason()).isEqualTo("Evicted");
    assertThat(evicted.getStatus().getMessage()).isEqualTo(message);
    assertThat(evicted.getStatus().getConditions())
        .anySatisfy(c -> assertThat(c.getType()).isEqualTo("DisruptionTarget"));
    assertThat(runtime.calls).anyMatch(c -> c.startsWith("StopContainer app"));
    assertThat(kubelet.withPressure(NodeHealth.HEALTHY).memoryPressure()).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        client.v1().events().inNamespace("default").list().getItems().stream()
                            .filter(
                                e ->
                                    created
                                        .getMetadata()
                                        .getUid()
                                        .equals(e.getInvolvedObject().getUid()))
                            .filter(e -> "Evicted".equals(e.getReason()))
                            .map(Event::getMessage))
                    .containsExactly(message));
  }
}
