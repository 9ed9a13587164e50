package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Deployments against a real API server; a loop in the test plays the kubelets. */
class DeploymentIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "deploy-test";

  private static ControllerManager manager;
  private static FakeKubelet kubelet;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("deployment", "replicaset")),
            Clock.systemUTC());
    manager.start();
    cluster
        .client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    kubelet = FakeKubelet.start(cluster.client(), NS);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    kubelet.close();
    manager.close();
  }

  private static Deployment deployment(String image) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .endMetadata()
        .withNewSpec()
        .withReplicas(3)
        .withNewSelector()
        .withMatchLabels(Map.of("app", "web"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage(image)
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Deployment current() {
    return cluster.client().apps().deployments().inNamespace(NS).withName("web").get();
  }

  private static String progressingReason(Deployment d) {
    return d.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Progressing"))
        .map(c -> c.getReason())
        .findFirst()
        .orElse("");
  }

  @Test
  void rollsOutAndRollsAnUpdateOut() {
    KubernetesClient client = cluster.client();
    client.apps().deployments().inNamespace(NS).resource(deployment("nginx:1")).create();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Deployment d = current();
              assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
              assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
              assertThat(progressingReason(d)).isEqualTo("NewReplicaSetAvailable");
              assertThat(d.getMetadata().getAnnotations())
                  .containsEntry("deployment.kubernetes.io/revision", "1");
            });

    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName("web")
        .edit(
            d -> {
              d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:2");
              return d;
            });

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Deployment d = current();
              assertThat(d.getStatus().getObservedGeneration()).isEqualTo(2L);
              assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(3);
              assertThat(d.getStatus().getReplicas()).isEqualTo(3);
              assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(3);
              assertThat(progressingReason(d)).isEqualTo("NewReplicaSetAvailable");
              List<ReplicaSet> sets = client.apps().replicaSets().inNamespace(NS).list().getItems();
              assertThat(sets).hasSize(2);
              assertThat(sets)
                  .filteredOn(rs -> rs.getSpec().getReplicas() == 3)
                  .singleElement()
                  .satisfies(
                      rs ->
                          assertThat(rs.getMetadata().getAnnotations())
                              .containsEntry("deployment.kubernetes.io/revision", "2"));
              assertThat(
                      client.pods().inNamespace(NS).list().getItems().stream()
                          .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                          .map(p -> p.getSpec().getContainers().get(0).getImage()))
                  .containsOnly("nginx:2");
            });
  }
}
