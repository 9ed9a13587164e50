package dev.skiff.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.kubelet.sim.SimNodeOptions;
import dev.skiff.kubelet.sim.SimulatedNodes;
import dev.skiff.testing.Kubectl;
import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The autoscaler against a real API server, with usage from simulated nodes: their kubelet API
 * serves the usage pods declare in annotations, the API server scrapes it into metrics.k8s.io, and
 * the controller scales a Deployment up and down within its behavior.
 */
class HorizontalPodAutoscalerIT {
  @RegisterExtension static final SkiffCluster cluster = SkiffCluster.memory();
  private static final String NS = "hpa-test";
  private static final int MAX_STEP = 2;

  private static SimulatedNodes nodes;
  private static ControllerManager manager;

  @BeforeAll
  static void start() throws InterruptedException {
    nodes =
        SimulatedNodes.start(
            cluster.newClient(), SimNodeOptions.of(1), InetAddress.getLoopbackAddress());
    assertThat(nodes.awaitRegistered(Duration.ofSeconds(30))).isTrue();
    manager =
        new ControllerManager(
            cluster.client(),
            ControllerManagerOptions.defaults()
                .withLeaderElect(false, "test")
                .withControllers(List.of("deployment", "replicaset", "horizontalpodautoscaling"))
                .withHorizontalPodAutoscalerSyncPeriod(Duration.ofSeconds(1)),
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
    nodes.close();
  }

  @Test
  void scalesUpOnHighCpuAndDownAfterTheStabilizationWindow() {
    KubernetesClient client = cluster.client();
    client.apps().deployments().inNamespace(NS).resource(deployment()).create();
    await().atMost(Duration.ofSeconds(30)).until(() -> runningPods(client).size() == 1);
    String first = runningPods(client).get(0).getMetadata().getName();

    // the simulated kubelet's usage reaches metrics.k8s.io as a real kubelet's would
    PodMetrics metrics =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> podMetrics(client, first), m -> m != null);
    assertThat(metrics.getContainers()).hasSize(1);
    assertThat(metrics.getContainers().get(0).getUsage().get("cpu").getNumericalAmount())
        .isEqualByComparingTo("0.2");

    List<Integer> replicas = Collections.synchronizedList(new ArrayList<>());
    List<String> ableToScale = Collections.synchronizedList(new ArrayList<>());
    SharedIndexInformer<Deployment> deployments =
        client.apps().deployments().inNamespace(NS).inform(recordReplicas(replicas), 0);
    SharedIndexInformer<HorizontalPodAutoscaler> autoscalers =
        client
            .autoscaling()
            .v2()
            .horizontalPodAutoscalers()
            .inNamespace(NS)
            .inform(recordAbleToScale(ableToScale), 0);
    try {
      client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(hpa()).create();

      // 200m of a 100m request against a 50 % target asks for 4x: up to maxReplicas, 2 at a time
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> current(client).getSpec().getReplicas() == 5);
      HorizontalPodAutoscaler atMax =
          await().atMost(Duration.ofSeconds(60)).until(() -> hpa(client), h -> limitedAtMax(h));
      assertThat(atMax.getStatus().getDesiredReplicas()).isEqualTo(5);
      assertThat(atMax.getStatus().getLastScaleTime()).isNotNull();
      assertThat(atMax.getStatus().getObservedGeneration())
          .isEqualTo(atMax.getMetadata().getGeneration());
      assertThat(condition(atMax, "ScalingActive").getReason()).isEqualTo("ValidMetricFound");
      assertThat(
              atMax
                  .getStatus()
                  .getCurrentMetrics()
                  .get(0)
                  .getResource()
                  .getCurrent()
                  .getAverageUtilization())
          .isGreaterThan(50);
      assertThat(events(client))
          .contains(
              "SuccessfulRescale New size: 3; reason: cpu resource utilization (percentage of"
                  + " request) above target");

      // usage drops to 10 %: the controller waits out the window, then removes 2 pods at a time
      await().atMost(Duration.ofSeconds(30)).until(() -> runningPods(client).size() == 5);
      for (Pod pod : runningPods(client)) {
        client
            .pods()
            .inNamespace(NS)
            .withName(pod.getMetadata().getName())
            .patch(
                PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"sim.skiff.io/cpu-usage\":\"10m\"}}}");
      }
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> current(client).getSpec().getReplicas() == 1);
      assertThat(ableToScale).contains("ScaleDownStabilized");
      assertThat(events(client))
          .contains("SuccessfulRescale New size: 3; reason: All metrics" + " below target");
    } finally {
      deployments.close();
      autoscalers.close();
    }

    List<Integer> seen = List.copyOf(replicas);
    assertThat(seen).contains(1, 3, 5);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(Math.abs(seen.get(i) - seen.get(i - 1)))
          .as("replica steps %s", seen)
          .isLessThanOrEqualTo(MAX_STEP);
    }
  }

  @Test
  void aTargetWithoutMetricsReportsFailedGetResourceMetric() {
    KubernetesClient client = cluster.client();
    HorizontalPodAutoscaler orphan =
        new HorizontalPodAutoscalerBuilder(hpa())
            .editMetadata()
            .withName("orphan")
            .endMetadata()
            .editSpec()
            .editScaleTargetRef()
            .withName("missing")
            .endScaleTargetRef()
            .endSpec()
            .build();
    client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).resource(orphan).create();

    HorizontalPodAutoscaler failed =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    client
                        .autoscaling()
                        .v2()
                        .horizontalPodAutoscalers()
                        .inNamespace(NS)
                        .withName("orphan")
                        .get(),
                h -> h.getStatus() != null && condition(h, "AbleToScale") != null);
    HorizontalPodAutoscalerCondition able = condition(failed, "AbleToScale");
    assertThat(able.getStatus()).isEqualTo("False");
    assertThat(able.getReason()).isEqualTo("FailedGetScale");
    assertThat(able.getMessage()).contains("\"missing\" not found");
  }

  @Test
  void kubectlAutoscaleAndGetHpaShowTheCpuTarget() {
    KubernetesClient client = cluster.client();
    Deployment api = deployment();
    api.getMetadata().setName("api");
    api.getSpec().getSelector().setMatchLabels(Map.of("app", "api"));
    api.getSpec().getTemplate().getMetadata().setLabels(Map.of("app", "api"));
    client.apps().deployments().inNamespace(NS).resource(api).create();
    Kubectl kubectl = new Kubectl(cluster.kubeconfigPath());

    Kubectl.Result autoscale =
        kubectl.run(
            "-v=6",
            "-n",
            NS,
            "autoscale",
            "deployment",
            "api",
            "--min=1",
            "--max=2",
            "--cpu-percent=50");
    assertThat(autoscale.ok()).contains("horizontalpodautoscaler.autoscaling/api autoscaled");
    // kubectl 1.32 writes the autoscaler as autoscaling/v1; the server keeps it as v2
    assertThat(autoscale.stderr())
        .contains("POST https://")
        .contains("/apis/autoscaling/v1/namespaces/" + NS + "/horizontalpodautoscalers");

    HorizontalPodAutoscaler created =
        client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(NS).withName("api").get();
    assertThat(created.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(
            created.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization())
        .isEqualTo(50);
    // 200m of a 100m request: 200 % of the request against a 50 % target
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> kubectl.ok("-n", NS, "get", "hpa", "api"), out -> out.contains("cpu: 200%/50%"));
    String table = kubectl.ok("-n", NS, "get", "hpa", "api");
    assertThat(table).contains("REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "Deployment/api");
  }

  private static boolean limitedAtMax(HorizontalPodAutoscaler hpa) {
    HorizontalPodAutoscalerCondition limited = condition(hpa, "ScalingLimited");
    return hpa.getStatus().getCurrentReplicas() != null
        && hpa.getStatus().getCurrentReplicas() == 5
        && limited != null
        && limited.getStatus().equals("True")
        && limited.getReason().equals("TooManyReplicas");
  }

  private static HorizontalPodAutoscalerCondition condition(
      HorizontalPodAutoscaler hpa, String type) {
    if (hpa.getStatus() == null || hpa.getStatus().getConditions() == null) {
      return null;
    }
    return hpa.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElse(null);
  }

  private static ResourceEventHandler<Deployment> recordReplicas(List<Integer> replicas) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(Deployment deployment) {
        record(deployment);
      }

      @Override
      public void onUpdate(Deployment old, Deployment deployment) {
        record(deployment);
      }

      @Override
      public void onDelete(Deployment deployment, boolean unknown) {}

      private void record(Deployment deployment) {
        Integer value = deployment.getSpec().getReplicas();
        synchronized (replicas) {
          if (replicas.isEmpty() || !replicas.get(replicas.size() - 1).equals(value)) {
            replicas.add(value);
          }
        }
      }
    };
  }

  private static ResourceEventHandler<HorizontalPodAutoscaler> recordAbleToScale(
      List<String> reasons) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(HorizontalPodAutoscaler hpa) {
        record(hpa);
      }

      @Override
      public void onUpdate(HorizontalPodAutoscaler old, HorizontalPodAutoscaler hpa) {
        record(hpa);
      }

      @Override
      public void onDelete(HorizontalPodAutoscaler hpa, boolean unknown) {}

      private void record(HorizontalPodAutoscaler hpa) {
        HorizontalPodAutoscalerCondition able = condition(hpa, "AbleToScale");
        if (able != null) {
          reasons.add(able.getReason());
        }
      }
    };
  }

  private static PodMetrics podMetrics(KubernetesClient client, String pod) {
    try {
      return client.top().pods().metrics(NS, pod);
    } catch (RuntimeException e) {
      return null; // not scraped twice yet
    }
  }

  private static List<String> events(KubernetesClient client) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "HorizontalPodAutoscaler".equals(e.getInvolvedObject().getKind()))
        .map(e -> e.getReason() + " " + e.getMessage())
        .toList();
  }

  private static List<Pod> runningPods(KubernetesClient client) {
    return client.pods().inNamespace(NS).withLabel("app", "web").list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .toList();
  }

  private static Deployment current(KubernetesClient client) {
    return client.apps().deployments().inNamespace(NS).withName("web").get();
  }

  private static HorizontalPodAutoscaler hpa(KubernetesClient client) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(NS)
        .withName("web")
        .get();
  }

  private static Deployment deployment() {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("web")
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .withMatchLabels(Map.of("app", "web"))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(Map.of("app", "web"))
        .withAnnotations(Map.of("sim.skiff.io/cpu-usage", "200m"))
        .endMetadata()
        .withNewSpec()
        .withNodeName("sim-0")
        .addNewContainer()
        .withName("web")
        .withImage("busybox")
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity("100m")))
        .endResources()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static HorizontalPodAutoscaler hpa() {
    return new HorizontalPodAutoscalerBuilder()
        .withNewMetadata()
        .withName("web")
        .endMetadata()
        .withNewSpec()
        .withNewScaleTargetRef()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withName("web")
        .endScaleTargetRef()
        .withMinReplicas(1)
        .withMaxReplicas(5)
        .addNewMetric()
        .withType("Resource")
        .withNewResource()
        .withName("cpu")
        .withNewTarget()
        .withType("Utilization")
        .withAverageUtilization(50)
        .endTarget()
        .endResource()
        .endMetric()
        .withNewBehavior()
        .withNewScaleUp()
        .withStabilizationWindowSeconds(0)
        .addNewPolicy()
        .withType("Pods")
        .withValue(MAX_STEP)
        .withPeriodSeconds(3)
        .endPolicy()
        .endScaleUp()
        .withNewScaleDown()
        .withStabilizationWindowSeconds(5)
        .addNewPolicy()
        .withType("Pods")
        .withValue(MAX_STEP)
        .withPeriodSeconds(3)
        .endPolicy()
        .endScaleDown()
        .endBehavior()
        .endSpec()
        .build();
  }
}
