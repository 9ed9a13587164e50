package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ResourceQuota status against a real API server. */
class ResourceQuotaIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "quota-test";

  private static ControllerManager manager;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("resourcequota")),
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

  private static Map<String, String> used() {
    ResourceQuota quota =
        cluster.client().resourceQuotas().inNamespace(NS).withName("compute").get();
    Map<String, String> used = new TreeMap<>();
    if (quota.getStatus() != null && quota.getStatus().getUsed() != null) {
      quota.getStatus().getUsed().forEach((k, v) -> used.put(k, v.toString()));
    }
    return used;
  }

  @Test
  void usedFollowsTheNamespace() {
    KubernetesClient client = cluster.client();
    client
        .resourceQuotas()
        .inNamespace(NS)
        .resource(
            new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("compute")
                .endMetadata()
                .withNewSpec()
                .withHard(
                    Map.of(
                        "pods", new Quantity("10"),
                        "requests.cpu", new Quantity("2"),
                        "limits.memory", new Quantity("1Gi"),
                        "count/configmaps", new Quantity("5")))
                .endSpec()
                .build())
        .create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              ResourceQuota quota =
                  client.resourceQuotas().inNamespace(NS).withName("compute").get();
              // the quota controller writes status after the create: none yet is "not yet"
              assertThat(quota.getStatus()).isNotNull();
              assertThat(quota.getStatus().getHard().get("pods").toString()).isEqualTo("10");
              assertThat(used())
                  .isEqualTo(
                      Map.of(
                          "pods", "0",
                          "requests.cpu", "0",
                          "limits.memory", "0",
                          "count/configmaps", "0"));
            });

    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("p")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("c")
                .withImage("nginx")
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("250m")))
                .withLimits(Map.of("memory", new Quantity("256Mi")))
                .endResources()
                .endContainer()
                .endSpec()
                .build())
        .create();
    client
        .configMaps()
        .inNamespace(NS)
        .resource(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata().build())
        .create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(used())
                    .isEqualTo(
                        Map.of(
                            "pods", "1",
                            "requests.cpu", "250m",
                            "limits.memory", "256Mi",
                            "count/configmaps", "1")));
  }
}
