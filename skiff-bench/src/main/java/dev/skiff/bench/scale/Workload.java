package dev.skiff.bench.scale;

import dev.skiff.kubelet.sim.SimNode;
import dev.skiff.kubelet.sim.SimNodeOptions;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * The scheduling workloads of the harness, after Kubernetes' scheduler_perf: how the nodes look,
 * which pods fill the cluster first (not measured) and which pods are measured.
 */
enum Workload {
  /** Plain pods with small requests. */
  SchedulingBasic,
  /** Pods that refuse to share a node with each other (required anti-affinity on hostname). */
  SchedulingPodAntiAffinity,
  /** Pods spread over three zones with maxSkew 1. */
  SchedulingPodTopologySpread,
  /** Pods that require the zone half of the nodes are in. */
  SchedulingNodeAffinity,
  /** Nodes filled with low-priority pods, then high-priority pods that must preempt them. */
  Preemption,
  /** Pods that fit nowhere wait in the queue while plain pods are measured. */
  Unschedulable,
  /** Nodes only: lease punctuality and memory of the simulated fleet. */
  SimNodesIdle;

  static final String MEASURED_PREFIX = "m-";
  static final String INIT_PREFIX = "init-";
  static final String LOW_PRIORITY = "bench-low";
  static final String HIGH_PRIORITY = "bench-high";
  static final List<String> ZONES = List.of("zone-a", "zone-b", "zone-c");
  private static final int PREEMPTION_LOW_PODS_PER_NODE = 4;

  SimNodeOptions nodes(int count, String runLabel) {
    SimNodeOptions options =
        SimNodeOptions.of(count)
            .withNamePrefix("bench-" + runLabel + "-")
            .withLabels(Map.of("bench.skiff.dev/run", runLabel));
    return switch (this) {
      case SchedulingPodTopologySpread -> options.withZones(ZONES);
      case SchedulingNodeAffinity -> options.withZones(ZONES.subList(0, 2));
      case Preemption ->
          options.withResources(
              new Quantity(Integer.toString(PREEMPTION_LOW_PODS_PER_NODE)),
              new Quantity("256Gi"),
              110);
      default -> options;
    };
  }

  /** How many pods can be measured on {@code nodes} nodes (anti-affinity: one per node). */
  int measurablePods(int nodes, int requested) {
    return switch (this) {
      case SchedulingPodAntiAffinity -> Math.min(requested, nodes);
      case Preemption -> Math.min(requested, nodes * PREEMPTION_LOW_PODS_PER_NODE);
      case SimNodesIdle -> 0;
      default -> requested;
    };
  }

  /** Pods created before measuring: they fill the cluster or wait in the queue. */
  int initPods(int nodes) {
    return switch (this) {
      case Preemption -> nodes * PREEMPTION_LOW_PODS_PER_NODE;
      case Unschedulable -> 200;
      default -> 0;
    };
  }

  /** Whether the init pods must be bound before measuring starts. */
  boolean initPodsBind() {
    return this == Preemption;
  }

  Pod initPod(String namespace, int index) {
    PodBuilder pod = base(namespace, INIT_PREFIX + index, "init");
    return switch (this) {
      case Preemption ->
          withCpu(pod, "1")
              .editSpec()
              .withPriorityClassName(LOW_PRIORITY)
              .withTerminationGracePeriodSeconds(0L)
              .endSpec()
              .build();
      case Unschedulable -> withCpu(pod, "100000").build();
      default -> pod.build();
    };
  }

  Pod measuredPod(String namespace, int index) {
    PodBuilder pod = base(namespace, MEASURED_PREFIX + index, "measured");
    return switch (this) {
      case SchedulingPodAntiAffinity ->
          withCpu(pod, "100m")
              .editSpec()
              .withNewAffinity()
              .withNewPodAntiAffinity()
              .addNewRequiredDuringSchedulingIgnoredDuringExecution()
              .withTopologyKey("kubernetes.io/hostname")
              .withLabelSelector(
                  new LabelSelectorBuilder().addToMatchLabels("app", "measured").build())
              .endRequiredDuringSchedulingIgnoredDuringExecution()
              .endPodAntiAffinity()
              .endAffinity()
              .endSpec()
              .build();
      case SchedulingPodTopologySpread ->
          withCpu(pod, "100m")
              .editSpec()
              .addNewTopologySpreadConstraint()
              .withMaxSkew(1)
              .withTopologyKey(SimNode.ZONE_LABEL)
              .withWhenUnsatisfiable("DoNotSchedule")
              .withLabelSelector(
                  new LabelSelectorBuilder().addToMatchLabels("app", "measured").build())
              .endTopologySpreadConstraint()
              .endSpec()
              .build();
      case SchedulingNodeAffinity ->
          withCpu(pod, "100m")
              .editSpec()
              .withNewAffinity()
              .withNewNodeAffinity()
              .withNewRequiredDuringSchedulingIgnoredDuringExecution()
              .addNewNodeSelectorTerm()
              .addNewMatchExpression()
              .withKey(SimNode.ZONE_LABEL)
              .withOperator("In")
              .withValues(ZONES.getFirst())
              .endMatchExpression()
              .endNodeSelectorTerm()
              .endRequiredDuringSchedulingIgnoredDuringExecution()
              .endNodeAffinity()
              .endAffinity()
              .endSpec()
              .build();
      case Preemption ->
          withCpu(pod, "1").editSpec().withPriorityClassName(HIGH_PRIORITY).endSpec().build();
      default -> withCpu(pod, "100m").build();
    };
  }

  private static PodBuilder base(String namespace, String name, String app) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("pause")
        .withImage("registry.k8s.io/pause:3.10")
        .endContainer()
        .endSpec();
  }

  /** Requests (and limits) the given cpu and 500Mi of memory, as scheduler_perf's default pod. */
  private static PodBuilder withCpu(PodBuilder pod, String cpu) {
    Map<String, Quantity> resources =
        Map.of("cpu", new Quantity(cpu), "memory", new Quantity("500Mi"));
    return pod.editSpec()
        .editFirstContainer()
        .withNewResources()
        .withRequests(resources)
        .withLimits(resources)
        .endResources()
        .endContainer()
        .endSpec();
  }
}
