package dev.skiff.proxy.netpol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The controller follows pods, namespaces and policies from the API server (no packet filter). */
class NetworkPolicyControllerIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();

  /** Records what it is asked to apply. */
  static final class RecordingEnforcer implements PolicyEnforcer {
    final List<CompiledPolicies> synced = new CopyOnWriteArrayList<>();

    @Override
    public void sync(CompiledPolicies policies) {
      synced.add(policies);
    }

    CompiledPolicies last() {
      return synced.isEmpty() ? null : synced.getLast();
    }
  }

  private static List<String> allowedSources(CompiledPolicies compiled) {
    if (compiled == null) {
      return List.of();
    }
    return compiled.policies().stream()
        .flatMap(p -> p.allows().stream())
        .map(a -> a.peer() == null ? "any" : a.peer().cidr())
        .toList();
  }

  @Test
  void namespaceLabelsPodsAndPoliciesDriveTheRules() {
    KubernetesClient client = cluster.client();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("app").endMetadata().build())
        .create();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("ui").endMetadata().build())
        .create();
    create(
        client,
        PolicyFixtures.pod("app", "web", "node-x", "10.42.0.2", PolicyFixtures.map("app", "web")));
    create(
        client,
        PolicyFixtures.pod("ui", "ui-1", "node-y", "10.42.1.2", PolicyFixtures.map("app", "ui")));
    client
        .network()
        .v1()
        .networkPolicies()
        .resource(
            PolicyFixtures.policy("app", "from-ui", new LabelSelector())
                .editSpec()
                .addNewIngress()
                .withFrom(PolicyFixtures.namespaces(PolicyFixtures.selector("team", "ui")))
                .endIngress()
                .endSpec()
                .build())
        .create();

    RecordingEnforcer enforcer = new RecordingEnforcer();
    try (NetworkPolicyController controller =
        new NetworkPolicyController(client, "node-x", enforcer, Duration.ofMillis(50))) {
      controller.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(enforcer.last()).isNotNull();
                assertThat(enforcer.last().pods())
                    .extracting(CompiledPolicies.PodChain::key)
                    .containsExactly("app/web");
                assertThat(allowedSources(enforcer.last())).isEmpty();
              });

      client
          .namespaces()
          .withName("ui")
          .edit(
              ns ->
                  new NamespaceBuilder(ns)
                      .editMetadata()
                      .addToLabels("team", "ui")
                      .endMetadata()
                      .build());
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertThat(allowedSources(enforcer.last())).containsExactly("10.42.1.2/32"));

      client.pods().inNamespace("ui").withName("ui-1").withGracePeriod(0).delete();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(allowedSources(enforcer.last())).isEmpty());

      client.network().v1().networkPolicies().inNamespace("app").withName("from-ui").delete();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(enforcer.last().pods()).isEmpty());
      assertThat(controller.appliedPolicies()).isEqualTo(enforcer.last());
    }
  }

  private static void create(KubernetesClient client, Pod pod) {
    var status = pod.getStatus();
    pod.setStatus(null);
    Pod created = client.pods().resource(pod).create();
    created.setStatus(status);
    client.pods().resource(created).updateStatus();
  }
}
