package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.controllers.history.Revisions;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A StatefulSet against a real API server; the test marks pods ready, one by one. */
class StatefulSetIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "sts-test";

  private static ControllerManager manager;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("statefulset")),
            Clock.systemUTC());
    manager.start();
    cluster
        .client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private static List<String> podNames() {
    return cluster.client().pods().inNamespace(NS).list().getItems().stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static void markReady(String name) {
    KubernetesClient client = cluster.client();
    Pod pod = client.pods().inNamespace(NS).withName(name).get();
    PodStatus status = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    status.setPhase("Running");
    status.setConditions(
        List.of(
            new PodConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .build()));
    pod.setStatus(status);
    client.pods().inNamespace(NS).resource(pod).updateStatus();
  }

  @Test
  void createsPodsInOrdinalOrderAsEachBecomesReady() {
    KubernetesClient client = cluster.client();
    client
        .apps()
        .statefulSets()
        .inNamespace(NS)
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withReplicas(3)
                .withServiceName("nginx")
                .withNewSelector()
                .withMatchLabels(Map.of("app", "web"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "web"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("nginx")
                .withImage("nginx:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    await().atMost(Duration.ofSeconds(20)).until(() -> podNames().equals(List.of("web-0")));
    Pod web0 = client.pods().inNamespace(NS).withName("web-0").get();
    assertThat(web0.getSpec().getHostname()).isEqualTo("web-0");
    assertThat(web0.getSpec().getSubdomain()).isEqualTo("nginx");
    assertThat(web0.getMetadata().getLabels())
        .containsEntry("statefulset.kubernetes.io/pod-name", "web-0")
        .containsEntry("apps.kubernetes.io/pod-index", "0")
        .containsKey("controller-revision-hash");
    // web-1 waits for web-0 to be ready
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> podNames().equals(List.of("web-0")));

    markReady("web-0");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> podNames().equals(List.of("web-0", "web-1")));
    markReady("web-1");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> podNames().equals(List.of("web-0", "web-1", "web-2")));
    markReady("web-2");

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              StatefulSet set = client.apps().statefulSets().inNamespace(NS).withName("web").get();
              assertThat(set.getStatus().getReplicas()).isEqualTo(3);
              assertThat(set.getStatus().getReadyReplicas()).isEqualTo(3);
              assertThat(set.getStatus().getAvailableReplicas()).isEqualTo(3);
              assertThat(set.getStatus().getUpdatedReplicas()).isEqualTo(3);
              assertThat(set.getStatus().getCurrentRevision())
                  .isEqualTo(set.getStatus().getUpdateRevision());
              assertThat(set.getStatus().getObservedGeneration())
                  .isEqualTo(set.getMetadata().getGeneration());
            });
    List<ControllerRevision> revisions =
        client.apps().controllerRevisions().inNamespace(NS).list().getItems();
    assertThat(revisions)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getRevision()).isEqualTo(1L);
              assertThat(Revisions.template(r).getSpec().getContainers().get(0).getImage())
                  .isEqualTo("nginx:1");
              assertThat(r.getMetadata().getName())
                  .isEqualTo(web0.getMetadata().getLabels().get("controller-revision-hash"));
            });
  }
}
