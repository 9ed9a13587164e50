package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PodDisruptionBudgets against a real API server: the disruption controller computes the status
 * from a ReplicaSet's pods and evictions through fabric8 consume it; a loop plays the kubelets.
 */
class DisruptionIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "disruption-test";

  private static ControllerManager manager;
  private static FakeKubelet kubelet;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("replicaset", "disruption")),
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

  private static PodDisruptionBudget budget() {
    return cluster
        .client()
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace(NS)
        .withName("web")
        .get();
  }

  /** fabric8's evict() without the client's own retries of 429 answers. */
  private static boolean evict(String pod) {
    Config config =
        new ConfigBuilder(cluster.client().getConfiguration())
            .withRequestRetryBackoffLimit(0)
            .build();
    try (KubernetesClient noRetry = new KubernetesClientBuilder().withConfig(config).build()) {
      return noRetry.pods().inNamespace(NS).withName(pod).evict();
    }
  }

  @Test
  void budgetStatusFollowsThePodsAndEvictionsHonourIt() {
    KubernetesClient client = cluster.client();
    client
        .apps()
        .replicaSets()
        .inNamespace(NS)
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
    client
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace(NS)
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(Map.of("app", "web"))
                .endSelector()
                .endSpec()
                .build())
        .create();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              var status = budget().getStatus();
              assertThat(status).isNotNull();
              assertThat(status.getExpectedPods()).isEqualTo(3);
              assertThat(status.getCurrentHealthy()).isEqualTo(3);
              assertThat(status.getDesiredHealthy()).isEqualTo(2);
              assertThat(status.getDisruptionsAllowed()).isEqualTo(1);
              assertThat(status.getObservedGeneration()).isEqualTo(1L);
              assertThat(status.getConditions()).hasSize(1);
              assertThat(status.getConditions().get(0).getReason()).isEqualTo("SufficientPods");
            });

    List<Pod> pods = client.pods().inNamespace(NS).list().getItems();
    String first = pods.get(0).getMetadata().getName();
    String second = pods.get(1).getMetadata().getName();

    // the replacement pod stays unready until the kubelet resumes
    kubelet.pause();
    assertThat(client.pods().inNamespace(NS).withName(first).evict()).isTrue();
    assertThat(budget().getStatus().getDisruptionsAllowed()).isZero();
    assertThat(evict(second)).isFalse();
    assertThat(client.pods().inNamespace(NS).withName(second).get()).isNotNull();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              var status = budget().getStatus();
              assertThat(status.getExpectedPods()).isEqualTo(3);
              assertThat(status.getCurrentHealthy()).isEqualTo(2);
              assertThat(status.getDisruptionsAllowed()).isZero();
              assertThat(status.getConditions().get(0).getReason()).isEqualTo("InsufficientPods");
            });
    assertThat(evict(second)).isFalse();
    kubelet.resume();

    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              var status = budget().getStatus();
              assertThat(status.getCurrentHealthy()).isEqualTo(3);
              assertThat(status.getDisruptionsAllowed()).isEqualTo(1);
              assertThat(status.getDisruptedPods()).doesNotContainKey(first);
            });
    assertThat(client.pods().inNamespace(NS).withName(second).evict()).isTrue();
  }
}
