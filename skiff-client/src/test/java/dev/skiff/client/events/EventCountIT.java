package dev.skiff.client.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A repeated event is one Event whose count grows, also for a recorder with a kubelet's rights
 * (create/patch/update on events, no get), as the kubelet's Unhealthy and BackOff events are.
 */
class EventCountIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  @Test
  void aNodeRecordingTheSameEventAgainRaisesItsCount() {
    Pod pod =
        cluster
            .client()
            .pods()
            .inNamespace("default")
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("probed")
                    .endMetadata()
                    .withNewSpec()
                    .addNewContainer()
                    .withName("c")
                    .withImage("busybox")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    String kubeconfig =
        cluster.controlPlane().componentKubeconfig("system:node:n1", List.of("system:nodes"));
    try (KubernetesClient node =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build()) {
      EventRecorder recorder =
          new ClientEventRecorder(
              node, "kubelet", "n1", InstantSource.system(), Runnable::run, new EventCorrelator());
      for (int i = 0; i < 3; i++) {
        recorder.event(pod, EventRecorder.WARNING, "Unhealthy", "Readiness probe failed: nope");
      }
    }

    List<Event> events =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    cluster
                        .client()
                        .v1()
                        .events()
                        .inNamespace("default")
                        .withField("involvedObject.name", "probed")
                        .list()
                        .getItems(),
                list -> !list.isEmpty());
    assertThat(events).hasSize(1);
    assertThat(events.get(0).getReason()).isEqualTo("Unhealthy");
    assertThat(events.get(0).getCount()).isEqualTo(3);
  }
}
