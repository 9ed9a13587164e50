package dev.skiff.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.apiserver.AdminControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** ResourceQuota admission over HTTPS, including 20 concurrent creates against a limit of 5. */
class ResourceQuotaAdmissionTest {
  @RegisterExtension static final AdminControlPlane cluster = new AdminControlPlane();

  private static void namespaceWithQuota(String namespace, String name, Map<String, String> hard) {
    cluster
        .admin()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    var builder =
        new ResourceQuotaBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec();
    hard.forEach((k, v) -> builder.addToHard(k, new Quantity(v)));
    cluster
        .admin()
        .resourceQuotas()
        .inNamespace(namespace)
        .resource(builder.endSpec().build())
        .create();
  }

  private static Pod pod(String name, String cpu) {
    var container =
        new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("c").withImage("busybox");
    if (cpu != null) {
      container.withNewResources().addToRequests("cpu", new Quantity(cpu)).endResources();
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addToContainers(container.build())
        .endSpec()
        .build();
  }

  @Test
  void twentyConcurrentCreatesNeverPassTheLimit() throws Exception {
    namespaceWithQuota("quota", "pods", Map.of("pods", "5"));
    ConcurrentLinkedQueue<String> denials = new ConcurrentLinkedQueue<>();
    List<Future<Boolean>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 20; i++) {
        String name = "p-" + i;
        results.add(
            pool.submit(
                () -> {
                  try {
                    cluster.admin().pods().inNamespace("quota").resource(pod(name, null)).create();
                    return true;
                  } catch (KubernetesClientException e) {
                    assertThat(e.getCode()).isEqualTo(403);
                    denials.add(e.getStatus().getMessage());
                    return false;
                  }
                }));
      }
    }
    long created = 0;
    for (Future<Boolean> result : results) {
      created += result.get() ? 1 : 0;
    }
    assertThat(created).isEqualTo(5);
    assertThat(cluster.admin().pods().inNamespace("quota").list().getItems()).hasSize(5);
    assertThat(denials)
        .hasSize(15)
        .allSatisfy(
            m ->
                assertThat(m)
                    .matches(
                        "pods \"p-\\d+\" is forbidden: exceeded quota: pods, requested: pods=1,"
                            + " used: pods=5, limited: pods=5"));
    var status =
        cluster.admin().resourceQuotas().inNamespace("quota").withName("pods").get().getStatus();
    assertThat(status.getUsed().get("pods")).isEqualTo(new Quantity("5"));
    assertThat(status.getHard().get("pods")).isEqualTo(new Quantity("5"));
    // a deletion gives the usage back
    String victim =
        cluster
            .admin()
            .pods()
            .inNamespace("quota")
            .list()
            .getItems()
            .get(0)
            .getMetadata()
            .getName();
    cluster.admin().pods().inNamespace("quota").withName(victim).delete();
    assertThat(
            cluster
                .admin()
                .pods()
                .inNamespace("quota")
                .resource(pod("after-delete", null))
                .create())
        .isNotNull();
  }

  @Test
  void computeRequestsAreCounted() {
    namespaceWithQuota("compute", "cpu", Map.of("requests.cpu", "1"));
    cluster.admin().pods().inNamespace("compute").resource(pod("first", "600m")).create();
    try {
      cluster.admin().pods().inNamespace("compute").resource(pod("second", "600m")).create();
      throw new AssertionError("expected 403");
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(403);
      assertThat(e.getStatus().getMessage())
          .isEqualTo(
              "pods \"second\" is forbidden: exceeded quota: cpu, requested: requests.cpu=600m,"
                  + " used: requests.cpu=600m, limited: requests.cpu=1");
    }
    // dry run checks without consuming
    cluster.admin().pods().inNamespace("compute").resource(pod("dry", "400m")).dryRun().create();
    cluster.admin().pods().inNamespace("compute").resource(pod("fits", "400m")).create();
    assertThat(
            cluster
                .admin()
                .resourceQuotas()
                .inNamespace("compute")
                .withName("cpu")
                .get()
                .getStatus()
                .getUsed()
                .get("requests.cpu"))
        .isEqualTo(new Quantity("1"));
  }
}
