package dev.skiff.controllers.resourcequota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.pods.TestPods;
import dev.skiff.controllers.runtime.DefaultRateLimitingQueue;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import dev.skiff.controllers.runtime.QueueMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ResourceQuotaControllerTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  static Pod pod(String name, String cpuReq, String memReq, String cpuLim, String memLim) {
    Pod pod = TestPods.pod(name, Map.of());
    var c = pod.getSpec().getContainers().get(0);
    c.setResources(
        new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
            .withRequests(Map.of("cpu", new Quantity(cpuReq), "memory", new Quantity(memReq)))
            .withLimits(Map.of("cpu", new Quantity(cpuLim), "memory", new Quantity(memLim)))
            .build());
    return pod;
  }

  static Service service(String name, String type, int ports) {
    var b =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withType(type);
    for (int i = 0; i < ports; i++) {
      b = b.addNewPort().withPort(80 + i).endPort();
    }
    return b.endSpec().build();
  }

  record Case(String name, List<Pod> pods, List<Service> services, Map<String, String> used) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    Pod twoContainers = pod("two", "250m", "64Mi", "500m", "128Mi");
    twoContainers
        .getSpec()
        .getContainers()
        .add(
            new ContainerBuilder()
                .withName("side")
                .withNewResources()
                .withRequests(Map.of("cpu", new Quantity("250m")))
                .endResources()
                .build());
    Pod bigInit = pod("init", "100m", "64Mi", "100m", "64Mi");
    bigInit
        .getSpec()
        .setInitContainers(
            new ArrayList<>(
                List.of(
                    new ContainerBuilder()
                        .withName("i")
                        .withNewResources()
                        .withRequests(Map.of("cpu", new Quantity("2")))
                        .endResources()
                        .build())));
    Pod done = pod("done", "1", "1Gi", "1", "1Gi");
    done.getStatus().setPhase("Succeeded");
    Pod pastGrace = pod("gone", "1", "1Gi", "1", "1Gi");
    pastGrace.getMetadata().setDeletionTimestamp(NOW.minusSeconds(60).toString());
    pastGrace.getMetadata().setDeletionGracePeriodSeconds(30L);
    Pod inGrace = pod("going", "1", "1Gi", "1", "1Gi");
    inGrace.getMetadata().setDeletionTimestamp(NOW.minusSeconds(10).toString());
    inGrace.getMetadata().setDeletionGracePeriodSeconds(30L);
    return Stream.of(
        new Case(
            "containers sum up",
            List.of(twoContainers, pod("b", "500m", "1Gi", "1", "1Gi")),
            List.of(),
            Map.of(
                "pods", "2",
                "count/pods", "2",
                "requests.cpu", "1",
                "requests.memory", "1088Mi",
                "limits.cpu", "1500m",
                "limits.memory", "1152Mi",
                "cpu", "1")),
        new Case(
            "a larger init container counts",
            List.of(bigInit),
            List.of(),
            Map.of("pods", "1", "requests.cpu", "2", "limits.cpu", "100m")),
        new Case(
            "terminal and past-grace pods are not charged",
            List.of(done, pastGrace, inGrace),
            List.of(),
            Map.of("pods", "1", "requests.memory", "1Gi")),
        new Case(
            "services by type",
            List.of(),
            List.of(
                service("a", "ClusterIP", 1),
                service("b", "NodePort", 2),
                service("c", "LoadBalancer", 1)),
            Map.of(
                "services", "3",
                "count/services", "3",
                "services.nodeports", "3",
                "services.loadbalancers", "1",
                "pods", "0",
                "requests.cpu", "0")));
  }

  @Test
  void unknownResourcesAreLeftOutOfUsed() {
    Map<String, String> used =
        QuotaUsage.used(
            Map.of("pods", "1", "count/deployments.apps", "2"),
            new QuotaUsage.Namespace(List.of(), List.of(), 0, 0, List.of()),
            NOW);
    assertThat(used).isEqualTo(Map.of("pods", "0"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void usageAsKubernetesCountsIt(Case c) {
    Map<String, String> used =
        QuotaUsage.used(
            c.used(), new QuotaUsage.Namespace(c.pods(), c.services(), 0, 0, List.of()), NOW);
    assertThat(used).isEqualTo(c.used());
  }

  private final FakeClock clock = new FakeClock();
  private final CacheImpl<ResourceQuota> quotas = new CacheImpl<>();
  private final CacheImpl<Pod> pods = new CacheImpl<>();
  private final CacheImpl<Service> services = new CacheImpl<>();
  private final CacheImpl<ConfigMap> configMaps = new CacheImpl<>();
  private final CacheImpl<Secret> secrets = new CacheImpl<>();
  private final CacheImpl<PersistentVolumeClaim> claims = new CacheImpl<>();
  private final List<ResourceQuota> written = new ArrayList<>();
  private final DefaultRateLimitingQueue<ObjectKey> queue =
      DefaultRateLimitingQueue.create(clock, QueueMetrics.NONE);
  private final ResourceQuotaController controller =
      new ResourceQuotaController(
          quotas, pods, services, configMaps, secrets, claims, written::add, queue, clock);

  private static ResourceQuota quota(Map<String, String> hard) {
    Map<String, Quantity> q = new LinkedHashMap<>();
    hard.forEach((k, v) -> q.put(k, new Quantity(v)));
    return new ResourceQuotaBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("q")
        .endMetadata()
        .withNewSpec()
        .withHard(q)
        .endSpec()
        .build();
  }

  @Test
  void statusCopiesHardAndCountsOnlyWhatHardNames() {
    quotas.put(
        quota(
            Map.of(
                "pods", "10",
                "configmaps", "5",
                "secrets", "5",
                "persistentvolumeclaims", "2",
                "requests.storage", "10Gi")));
    pods.put(pod("a", "100m", "64Mi", "100m", "64Mi"));
    configMaps.put(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("c")
            .endMetadata()
            .build());
    ConfigMap elsewhere =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace("other")
            .withName("c")
            .endMetadata()
            .build();
    configMaps.put(elsewhere);
    claims.put(
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withNamespace("default")
            .withName("data")
            .endMetadata()
            .withNewSpec()
            .withNewResources()
            .withRequests(Map.of("storage", new Quantity("1Gi")))
            .endResources()
            .endSpec()
            .build());

    controller.reconcile(new ObjectKey("default", "q"));

    assertThat(written).hasSize(1);
    var status = written.get(0).getStatus();
    assertThat(status.getHard())
        .containsOnlyKeys(
            "pods", "configmaps", "secrets", "persistentvolumeclaims", "requests.storage");
    assertThat(status.getHard().get("pods").toString()).isEqualTo("10");
    Map<String, String> used = new java.util.TreeMap<>();
    status.getUsed().forEach((k, v) -> used.put(k, v.toString()));
    assertThat(used)
        .isEqualTo(
            Map.of(
                "pods", "1",
                "configmaps", "1",
                "secrets", "0",
                "persistentvolumeclaims", "1",
                "requests.storage", "1Gi"));

    quotas.put(written.get(0));
    written.clear();
    controller.reconcile(new ObjectKey("default", "q"));
    assertThat(written).isEmpty();
  }

  @Test
  void changesInTheNamespaceEnqueueItsQuotas() throws InterruptedException {
    quotas.put(quota(Map.of("pods", "1")));

    controller.<Pod>usageHandler().onAdd(TestPods.pod("a", Map.of()));

    assertThat(queue.get()).isEqualTo(new ObjectKey("default", "q"));
  }
}
