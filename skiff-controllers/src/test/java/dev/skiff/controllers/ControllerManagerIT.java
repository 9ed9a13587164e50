package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ControllerManagerIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  private static ControllerManager manager;

  @BeforeAll
  static void startManager() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withRootCaPem("-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n"),
            Clock.systemUTC());
    manager.start();
  }

  @AfterAll
  static void stopManager() {
    manager.close();
  }

  private static KubernetesClient client() {
    return cluster.client();
  }

  private static void namespace(String name) {
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  @Test
  void aReplicaSetCreatesItsPods() {
    namespace("rs-test");
    client()
        .apps()
        .replicaSets()
        .inNamespace("rs-test")
        .resource(
            new ReplicaSetBuilder()
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
                .withImage("nginx")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              List<Pod> pods = client().pods().inNamespace("rs-test").list().getItems();
              assertThat(pods).hasSize(3);
              assertThat(pods)
                  .allSatisfy(
                      pod ->
                          assertThat(pod.getMetadata().getOwnerReferences().get(0).getName())
                              .isEqualTo("web"));
              ReplicaSet rs =
                  client().apps().replicaSets().inNamespace("rs-test").withName("web").get();
              assertThat(rs.getStatus().getReplicas()).isEqualTo(3);
              assertThat(rs.getStatus().getObservedGeneration()).isEqualTo(1L);
            });
  }

  @Test
  void everyNamespaceGetsADefaultServiceAccountAndTheRootCa() {
    namespace("defaults-test");

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(
                      client()
                          .serviceAccounts()
                          .inNamespace("defaults-test")
                          .withName("default")
                          .get())
                  .isNotNull();
              ConfigMap ca =
                  client()
                      .configMaps()
                      .inNamespace("defaults-test")
                      .withName("kube-root-ca.crt")
                      .get();
              assertThat(ca).isNotNull();
              assertThat(ca.getData().get("ca.crt")).contains("TEST");
            });
  }

  @Test
  void metricsReportTheWorkQueues() {
    assertThat(manager.metricsText()).contains("workqueue_depth{name=\"replicaset\"}");
  }
}
