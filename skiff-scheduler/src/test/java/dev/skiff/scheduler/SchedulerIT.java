package dev.skiff.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.testing.SkiffCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scheduler against a real in-process API server, over HTTPS with the fabric8 client. */
class SchedulerIT {
  @RegisterExtension final SkiffCluster cluster = SkiffCluster.memory();

  static final String NS = "default";
  static final String ZONE = "topology.kubernetes.io/zone";
  static final Duration WAIT = Duration.ofSeconds(30);

  private Scheduler scheduler;

  @AfterEach
  void stopScheduler() {
    if (scheduler != null) {
      scheduler.close();
    }
  }

  KubernetesClient client() {
    return cluster.client();
  }

  Scheduler start(SchedulerConfiguration config) {
    Scheduler s = new Scheduler(cluster.newClient(), config, InstantSource.system());
    s.start();
    return s;
  }

  void startScheduler() {
    scheduler = start(SchedulerConfiguration.defaults().withLeaderElect(false));
  }

  Node createNode(String name, String cpu, Map<String, String> labels, NodeBuilderStep step) {
    Map<String, Quantity> allocatable = new HashMap<>();
    allocatable.put("cpu", new Quantity(cpu));
    allocatable.put("memory", new Quantity("16Gi"));
    allocatable.put("pods", new Quantity("110"));
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels("kubernetes.io/hostname", name)
            .addToLabels(labels)
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .withNewStatus()
            .withAllocatable(allocatable)
            .withCapacity(allocatable)
            .endStatus();
    Node node = step.apply(b).build();
    Node created = client().nodes().resource(node).create();
    if (created.getStatus() == null || created.getStatus().getAllocatable() == null) {
      created.setStatus(node.getStatus());
      created = client().nodes().resource(created).updateStatus();
    }
    return created;
  }

  Node createNode(String name, String cpu) {
    return createNode(name, cpu, Map.of(), b -> b);
  }

  interface NodeBuilderStep {
    NodeBuilder apply(NodeBuilder b);
  }

  static PodBuilder pod(String name, String cpu) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .withNewResources()
        .addToRequests("cpu", new Quantity(cpu))
        .endResources()
        .endContainer()
        .endSpec();
  }

  Pod create(Pod pod) {
    return client().pods().inNamespace(NS).resource(pod).create();
  }

  Pod get(String name) {
    return client().pods().inNamespace(NS).withName(name).get();
  }

  String nodeOf(String name) {
    Pod p = get(name);
    return p == null || p.getSpec().getNodeName() == null ? "" : p.getSpec().getNodeName();
  }

  void awaitBound(String... pods) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String p : pods) {
                assertThat(nodeOf(p)).as("node of %s", p).isNotEmpty();
              }
            });
  }

  /**
   * Events about {@code pod} with {@code reason}. The scheduler writes events.k8s.io/v1 Events;
   * they are read back through the core/v1 view of the same objects.
   */
  List<Event> events(String pod, String reason) {
    return client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && pod.equals(e.getInvolvedObject().getName()))
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  PodCondition podScheduled(String pod) {
    Pod p = get(pod);
    if (p.getStatus() == null || p.getStatus().getConditions() == null) {
      return null;
    }
    return p.getStatus().getConditions().stream()
        .filter(c -> "PodScheduled".equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  @Test
  void insufficientResourcesReportsFailedSchedulingThenBindsOnANewNode() {
    createNode("small", "1");
    startScheduler();
    create(pod("big", "2").build());

    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(events("big", "FailedScheduling")).isNotEmpty());
    Event failed = events("big", "FailedScheduling").get(0);
    assertThat(failed.getMessage())
        .isEqualTo(
            "0/1 nodes are available: 1 Insufficient cpu."
                + " preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    assertThat(failed.getType()).isEqualTo("Warning");
    assertThat(failed.getReportingComponent()).isEqualTo("default-scheduler");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              PodCondition c = podScheduled("big");
              assertThat(c).isNotNull();
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("Unschedulable");
              assertThat(c.getMessage()).startsWith("0/1 nodes are available: 1 Insufficient cpu.");
            });

    createNode("large", "4");
    await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf("big")).isEqualTo("large"));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events("big", "Scheduled"))
                    .extracting(Event::getMessage)
                    .containsExactly("Successfully assigned default/big to large"));
    assertThat(scheduler.metricsText())
        .contains(
            "scheduler_schedule_attempts_total{profile=\"default-scheduler\",result=\"scheduled\"} 1");
  }

  @Test
  void taintsKeepPodsAwayUnlessTolerated() {
    createNode(
        "gpu",
        "4",
        Map.of(),
        b ->
            b.editSpec()
                .withTaints(
                    new TaintBuilder()
                        .withKey("dedicated")
                        .withValue("gpu")
                        .withEffect("NoSchedule")
                        .build())
                .endSpec());
    startScheduler();
    create(pod("plain", "100m").build());
    create(
        pod("tolerant", "100m")
            .editSpec()
            .addNewToleration()
            .withKey("dedicated")
            .withOperator("Equal")
            .withValue("gpu")
            .withEffect("NoSchedule")
            .endToleration()
            .endSpec()
            .build());

    awaitBound("tolerant");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events("plain", "FailedScheduling"))
                    .extracting(Event::getMessage)
                    .contains(
                        "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}."
                            + " preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."));
    assertThat(nodeOf("plain")).isEmpty();
  }

  @Test
  void requiredAntiAffinityKeepsReplicasApart() {
    for (int i = 1; i <= 3; i++) {
      createNode("n" + i, "4");
    }
    startScheduler();
    for (int i = 1; i <= 4; i++) {
      create(
          pod("web-" + i, "100m")
              .editMetadata()
              .addToLabels("app", "web")
              .endMetadata()
              .editSpec()
              .withNewAffinity()
              .withNewPodAntiAffinity()
              .addNewRequiredDuringSchedulingIgnoredDuringExecution()
              .withTopologyKey("kubernetes.io/hostname")
              .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "web").build())
              .endRequiredDuringSchedulingIgnoredDuringExecution()
              .endPodAntiAffinity()
              .endAffinity()
              .endSpec()
              .build());
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              List<String> nodes =
                  List.of(nodeOf("web-1"), nodeOf("web-2"), nodeOf("web-3"), nodeOf("web-4"));
              assertThat(nodes.stream().filter(n -> !n.isEmpty()).distinct().count()).isEqualTo(3);
              assertThat(nodes.stream().filter(String::isEmpty).count()).isEqualTo(1);
            });
    String pending =
        List.of("web-1", "web-2", "web-3", "web-4").stream()
            .filter(p -> nodeOf(p).isEmpty())
            .findFirst()
            .orElseThrow();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events(pending, "FailedScheduling"))
                    .extracting(Event::getMessage)
                    .anyMatch(
                        n ->
                            n.startsWith(
                                "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.")));
  }

  @Test
  void topologySpreadAcrossThreeZonesStaysWithinMaxSkew() {
    for (int i = 1; i <= 6; i++) {
      createNode("n" + i, "8", Map.of(ZONE, "zone-" + ((i + 1) / 2)), b -> b);
    }
    startScheduler();
    for (int i = 1; i <= 9; i++) {
      create(
          pod("spread-" + i, "100m")
              .editMetadata()
              .addToLabels("app", "spread")
              .endMetadata()
              .editSpec()
              .withTopologySpreadConstraints(
                  new TopologySpreadConstraintBuilder()
                      .withMaxSkew(1)
                      .withTopologyKey(ZONE)
                      .withWhenUnsatisfiable("DoNotSchedule")
                      .withLabelSelector(
                          new LabelSelectorBuilder().addToMatchLabels("app", "spread").build())
                      .build())
              .endSpec()
              .build());
    }
    String[] names = new String[9];
    for (int i = 0; i < 9; i++) {
      names[i] = "spread-" + (i + 1);
    }
    awaitBound(names);
    Map<String, String> zoneOfNode = new HashMap<>();
    for (Node n : client().nodes().list().getItems()) {
      zoneOfNode.put(n.getMetadata().getName(), n.getMetadata().getLabels().get(ZONE));
    }
    Map<String, Long> perZone =
        java.util.Arrays.stream(names)
            .map(p -> zoneOfNode.get(nodeOf(p)))
            .collect(Collectors.groupingBy(z -> z, Collectors.counting()));
    assertThat(perZone)
        .containsOnly(Map.entry("zone-1", 3L), Map.entry("zone-2", 3L), Map.entry("zone-3", 3L));
  }

  @Test
  void preemptionEvictsLowerPriorityAndBindsThePreemptor() {
    client()
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName("low")
                .endMetadata()
                .withValue(10)
                .build())
        .create();
    client()
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName("high")
                .endMetadata()
                .withValue(1000)
                .build())
        .create();
    createNode("n1", "2");
    startScheduler();
    create(
        pod("victim", "1500m")
            .editSpec()
            .withPriorityClassName("low")
            .withPriority(10)
            .endSpec()
            .build());
    awaitBound("victim");

    create(
        pod("preemptor", "1")
            .editSpec()
            .withPriorityClassName("high")
            .withPriority(1000)
            .endSpec()
            .build());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Pod victim = get("victim");
              assertThat(victim == null || victim.getMetadata().getDeletionTimestamp() != null)
                  .isTrue();
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(get("preemptor").getStatus().getNominatedNodeName()).isEqualTo("n1"));
    // no kubelet runs here: confirm the graceful deletion as the node would
    if (get("victim") != null) {
      client().pods().inNamespace(NS).withName("victim").withGracePeriod(0).delete();
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(nodeOf("preemptor")).isEqualTo("n1"));
    assertThat(events("victim", "Preempted")).isNotEmpty();
  }

  @Test
  void twoProfilesEachScheduleTheirPods() {
    SchedulerConfiguration config =
        SchedulerConfiguration.parse(
            """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            leaderElection:
              leaderElect: false
            profiles:
            - schedulerName: default-scheduler
            - schedulerName: bin-packer
              pluginConfig:
              - name: NodeResourcesFit
                args:
                  scoringStrategy:
                    type: MostAllocated
            """);
    createNode("n1", "4");
    scheduler = start(config);
    create(pod("ordinary", "100m").build());
    create(pod("packed", "100m").editSpec().withSchedulerName("bin-packer").endSpec().build());
    create(pod("ignored", "100m").editSpec().withSchedulerName("nobody").endSpec().build());
    awaitBound("ordinary", "packed");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(events("packed", "Scheduled"))
                    .extracting(Event::getReportingComponent)
                    .containsExactly("bin-packer"));
    assertThat(nodeOf("ignored")).isEmpty();
    assertThat(events("ignored", "FailedScheduling")).isEmpty();
  }

  @Test
  void leaderElectionHandsOverWhenTheLeaderStops() {
    SchedulerConfiguration config =
        SchedulerConfiguration.parse(
            """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            leaderElection:
              leaderElect: true
              leaseDuration: 4s
              renewDeadline: 3s
              retryPeriod: 500ms
            """);
    createNode("n1", "4");
    Scheduler first = start(config);
    await().atMost(WAIT).until(first::isLeading);
    scheduler = start(config);
    assertThat(scheduler.isLeading()).isFalse();
    create(pod("before", "100m").build());
    awaitBound("before");

    first.close();
    await().atMost(WAIT).until(scheduler::isLeading);
    assertThat(
            client()
                .leases()
                .inNamespace("kube-system")
                .withName("kube-scheduler")
                .get()
                .getSpec()
                .getHolderIdentity())
        .isEqualTo(scheduler.identity());
    create(pod("after", "100m").build());
    awaitBound("after");
  }
}
