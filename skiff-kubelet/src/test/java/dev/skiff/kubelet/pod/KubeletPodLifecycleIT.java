package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.client.events.ClientEventRecorder;
import dev.skiff.client.events.EventCorrelator;
import dev.skiff.kubelet.Kubelet;
import dev.skiff.kubelet.KubeletOptions;
import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import dev.skiff.kubelet.cri.v1.RunPodSandboxRequest;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembled {@link Kubelet} against the in-process API server (real fabric8 client, informer,
 * status patches, events, deletion) and the in-process fake CRI runtime.
 */
class KubeletPodLifecycleIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static final String NODE = "kubelet-it";
  private static final String IMAGE = "registry.local:5000/app:1.0";

  @TempDir Path dir;

  private FakeRuntimeService runtime;
  private CriClient cri;
  private PodTestFakes.FakeRuntimeConfig config;
  private Kubelet kubelet;
  private ProbeRelay relay;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    client = cluster.client();
    runtime = new FakeRuntimeService(InstantSource.system());
    runtime.images.add(IMAGE);
    cri = runtime.client();
    config = new PodTestFakes.FakeRuntimeConfig(dir);
    // a sandbox left behind by a pod the API does not know
    cri.runtime()
        .runPodSandbox(
            RunPodSandboxRequest.newBuilder()
                .setConfig(
                    PodSandboxConfig.newBuilder()
                        .setMetadata(
                            PodSandboxMetadata.newBuilder()
                                .setName("old")
                                .setNamespace("default")
                                .setUid("orphan-uid"))
                        .putLabels(CriLabels.POD_UID, "orphan-uid"))
                .build());
    relay = new ProbeRelay();
    kubelet =
        new Kubelet(
            cluster.newClient(),
            NODE,
            cri,
            config,
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
            KubeletOptions.defaults(List.of("192.168.7.7"), relay));
    kubelet.start();
  }

  @AfterEach
  void stop() {
    kubelet.close();
    cri.close();
    runtime.close();
  }

  private Pod create(String name) {
    return client
        .pods()
        .inNamespace("default")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNodeName(NODE)
                .withTerminationGracePeriodSeconds(5L)
                .addNewContainer()
                .withName("app")
                .withImage(IMAGE)
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  private ContainerStatus app(String name) {
    Pod pod = client.pods().inNamespace("default").withName(name).get();
    if (pod == null
        || pod.getStatus() == null
        || pod.getStatus().getContainerStatuses() == null
        || pod.getStatus().getContainerStatuses().isEmpty()) {
      return null;
    }
    return pod.getStatus().getContainerStatuses().getFirst();
  }

  @Test
  void podRunsRestartsAfterACrashAndIsDeletedGracefully() {
    Pod created = create("web");
    String uid = created.getMetadata().getUid();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Pod pod = client.pods().inNamespace("default").withName("web").get();
              return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
            });
    Pod running = client.pods().inNamespace("default").withName("web").get();
    assertThat(running.getStatus().getPodIP()).startsWith("10.88.0.");
    assertThat(running.getStatus().getHostIP()).isEqualTo("192.168.7.7");
    assertThat(running.getStatus().getContainerStatuses().getFirst().getContainerID())
        .startsWith("containerd://");
    assertThat(running.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
            });

    // the relist notices the exit and the worker restarts the container
    runtime.exit("app", 1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ContainerStatus app = app("web");
              return app != null
                  && app.getRestartCount() == 1
                  && app.getState().getRunning() != null;
            });
    assertThat(app("web").getLastState().getTerminated().getExitCode()).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        client.v1().events().inNamespace("default").list().getItems().stream()
                            .filter(e -> uid.equals(e.getInvolvedObject().getUid()))
                            .map(Event::getReason))
                    .contains("Pulled", "Created", "Started"));

    // a liveness failure reported through the probes' relay kills the container; it restarts
    String containerId = app("web").getContainerID().substring("containerd://".length());
    relay.restart(
        uid, "app", containerId, "Container app failed liveness probe, will be restarted");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              ContainerStatus app = app("web");
              return app != null
                  && app.getRestartCount() == 2
                  && app.getState().getRunning() != null;
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        client.v1().events().inNamespace("default").list().getItems().stream()
                            .filter(e -> uid.equals(e.getInvolvedObject().getUid()))
                            .map(Event::getMessage))
                    .contains("Container app failed liveness probe, will be restarted"));

    client.pods().inNamespace("default").withName("web").delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.pods().inNamespace("default").withName("web").get() == null);
    assertThat(runtime.containers.values())
        .noneMatch(c -> uid.equals(c.config.getLabelsMap().get(CriLabels.POD_UID)));
    assertThat(runtime.calls).anyMatch(c -> c.startsWith("StopContainer app"));
    assertThat(config.tornDown).contains(uid);
  }

  @Test
  void sandboxesOfPodsTheApiDoesNotKnowAreRemoved() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                runtime.sandboxes.values().stream()
                    .noneMatch(s -> s.config.getMetadata().getUid().equals("orphan-uid")));
    assertThat(config.tornDown).contains("orphan-uid");
  }
}
