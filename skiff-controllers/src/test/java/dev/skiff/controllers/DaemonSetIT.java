package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A DaemonSet against a real API server with three Node objects and no scheduler. */
class DaemonSetIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "ds-test";

  private static ControllerManager manager;

  @BeforeAll
  static void start() {
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("daemonset")),
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

  @Test
  void runsOnePodPerNodePinnedByNodeNameAffinity() {
    KubernetesClient client = cluster.client();
    for (String name : List.of("node-a", "node-b", "node-c")) {
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withLabels(Map.of("kubernetes.io/hostname", name))
                  .endMetadata()
                  .build())
          .create();
    }
    client
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName("agent")
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .withMatchLabels(Map.of("app", "agent"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "agent"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("agent")
                .withImage("agent:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> client.pods().inNamespace(NS).list().getItems().size() == 3);
    List<Pod> pods = client.pods().inNamespace(NS).list().getItems();
    assertThat(pods)
        .extracting(
            p -> {
              List<NodeSelectorRequirement> fields =
                  p.getSpec()
                      .getAffinity()
                      .getNodeAffinity()
                      .getRequiredDuringSchedulingIgnoredDuringExecution()
                      .getNodeSelectorTerms()
                      .get(0)
                      .getMatchFields();
              assertThat(fields).hasSize(1);
              assertThat(fields.get(0).getKey()).isEqualTo("metadata.name");
              assertThat(fields.get(0).getOperator()).isEqualTo("In");
              return fields.get(0).getValues().get(0);
            })
        .containsExactlyInAnyOrder("node-a", "node-b", "node-c");
    assertThat(pods)
        .allSatisfy(
            p -> {
              assertThat(p.getMetadata().getOwnerReferences().get(0).getKind())
                  .isEqualTo("DaemonSet");
              assertThat(p.getMetadata().getLabels()).containsKey("controller-revision-hash");
              assertThat(p.getSpec().getTolerations())
                  .anySatisfy(
                      t -> assertThat(t.getKey()).isEqualTo("node.kubernetes.io/not-ready"));
            });
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              DaemonSet ds = client.apps().daemonSets().inNamespace(NS).withName("agent").get();
              assertThat(ds.getStatus().getDesiredNumberScheduled()).isEqualTo(3);
              assertThat(ds.getStatus().getCurrentNumberScheduled()).isEqualTo(3);
              assertThat(ds.getStatus().getUpdatedNumberScheduled()).isEqualTo(3);
              assertThat(ds.getStatus().getNumberMisscheduled()).isZero();
              assertThat(ds.getStatus().getObservedGeneration())
                  .isEqualTo(ds.getMetadata().getGeneration());
            });
    assertThat(client.apps().controllerRevisions().inNamespace(NS).list().getItems()).hasSize(1);
  }
}
