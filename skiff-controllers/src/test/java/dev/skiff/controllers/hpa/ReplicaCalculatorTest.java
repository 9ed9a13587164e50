package dev.skiff.controllers.hpa;

import static dev.skiff.controllers.hpa.HpaPods.NOW;
import static dev.skiff.controllers.hpa.HpaPods.readiness;
import static dev.skiff.controllers.hpa.HpaPods.ready;
import static dev.skiff.controllers.hpa.HpaPods.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.controllers.runtime.FakeClock;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReplicaCalculatorTest {
  private final ReplicaCalculator calculator = ReplicaCalculator.withDefaults(new FakeClock(NOW));

  record Case(
      String name,
      int currentReplicas,
      int targetUtilization,
      List<Pod> pods,
      Map<String, PodMetric> metrics,
      int expectedReplicas,
      int expectedUtilization) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> utilizationCases() {
    return Stream.of(
        new Case(
            "usage twice the target doubles: 200m of 100m at 50% asks for 4x",
            1, 50, List.of(ready("a", "cpu", "100m")), Map.of("a", usage(200)), 4, 200),
        new Case(
            "within the 0.1 tolerance nothing changes",
            2,
            100,
            List.of(ready("a", "cpu", "100m"), ready("b", "cpu", "100m")),
            Map.of("a", usage(105), "b", usage(105)),
            2,
            105),
        new Case(
            "half the target halves",
            4,
            50,
            List.of(
                ready("a", "cpu", "100m"),
                ready("b", "cpu", "100m"),
                ready("c", "cpu", "100m"),
                ready("d", "cpu", "100m")),
            Map.of("a", usage(25), "b", usage(25), "c", usage(25), "d", usage(25)),
            2,
            25),
        new Case(
            "scale-down: a pod without metrics counts as using its whole request",
            4,
            50,
            List.of(
                ready("a", "cpu", "100m"),
                ready("b", "cpu", "100m"),
                ready("c", "cpu", "100m"),
                ready("d", "cpu", "100m")),
            Map.of("a", usage(10), "b", usage(10), "c", usage(10)),
            3,
            10),
        new Case(
            "scale-up: a pod without metrics counts as using nothing",
            2,
            50,
            List.of(ready("a", "cpu", "100m"), ready("b", "cpu", "100m")),
            Map.of("a", usage(200)),
            4,
            200),
        new Case(
            "scale-up: an unready pod counts as using nothing",
            2,
            50,
            List.of(
                ready("a", "cpu", "100m"),
                readiness(
                    ready("b", "cpu", "100m", Duration.ofMinutes(1)),
                    "False",
                    NOW.minusSeconds(20))),
            Map.of("a", usage(200), "b", usage(300)),
            4,
            200),
        new Case(
            "scale-down: an unready pod is left out, not rebalanced",
            2,
            50,
            List.of(
                ready("a", "cpu", "100m"),
                readiness(
                    ready("b", "cpu", "100m", Duration.ofMinutes(1)),
                    "False",
                    NOW.minusSeconds(20))),
            Map.of("a", usage(10), "b", usage(10)),
            1,
            10),
        new Case(
            "starting pod: a sample whose window began before the pod turned ready is not used",
            2,
            50,
            List.of(
                ready("a", "cpu", "100m"),
                readiness(
                    ready("b", "cpu", "100m", Duration.ofMinutes(1)), "True", NOW.minusSeconds(5))),
            Map.of("a", usage(200), "b", usage(900)),
            4,
            200),
        new Case(
            "after the initialization period a pod that was ready before counts though unready",
            2,
            50,
            List.of(
                ready("a", "cpu", "100m"),
                readiness(ready("b", "cpu", "100m"), "False", NOW.minusSeconds(60))),
            Map.of("a", usage(100), "b", usage(100)),
            4,
            100),
        new Case(
            "failed and deleted pods take no part; a pending one counts as idle on a scale-up",
            1,
            50,
            List.of(ready("a", "cpu", "100m"), pending("p"), failed("f"), deleted("d")),
            Map.of("a", usage(100), "f", usage(900), "d", usage(900)),
            1,
            100));
  }

  @ParameterizedTest
  @MethodSource("utilizationCases")
  void utilization(Case c) {
    ReplicaCalculator.Proposal proposal =
        calculator.utilizationReplicas(
            c.currentReplicas(), c.targetUtilization(), "cpu", c.pods(), c.metrics());

    assertThat(proposal.replicas()).isEqualTo(c.expectedReplicas());
    assertThat(proposal.utilization()).isEqualTo(c.expectedUtilization());
  }

  @Test
  void memoryIsNotSubjectToCpuReadiness() {
    long mib = 1024L * 1024 * 1000;
    Pod starting =
        readiness(
            ready("b", "memory", "100Mi", Duration.ofMinutes(1)), "True", NOW.minusSeconds(5));

    ReplicaCalculator.Proposal proposal =
        calculator.utilizationReplicas(
            2,
            50,
            "memory",
            List.of(ready("a", "memory", "100Mi"), starting),
            Map.of("a", usage(100 * mib), "b", usage(100 * mib)));

    assertThat(proposal.replicas()).isEqualTo(4);
  }

  @Test
  void averageValueTargetsCompareTheMeanUsage() {
    long mib = 1024L * 1024 * 1000;
    ReplicaCalculator.Proposal proposal =
        calculator.averageValueReplicas(
            2,
            100 * mib,
            "memory",
            List.of(ready("a", "memory", "64Mi"), ready("b", "memory", "64Mi")),
            Map.of("a", usage(200 * mib), "b", usage(200 * mib)));

    assertThat(proposal.replicas()).isEqualTo(4);
    assertThat(proposal.utilization()).isNull();
    assertThat(proposal.averageMilli()).isEqualTo(200 * mib);
  }

  @Test
  void averageValueScaleDownCountsMissingPodsAtTheTarget() {
    ReplicaCalculator.Proposal proposal =
        calculator.averageValueReplicas(
            3,
            100,
            "cpu",
            List.of(ready("a", "cpu", "1"), ready("b", "cpu", "1"), ready("c", "cpu", "1")),
            Map.of("a", usage(10), "b", usage(10)));

    // without the missing pod: ceil(0.1 * 2) = 1; with it at the target: ceil(0.4 * 3) = 2
    assertThat(proposal.replicas()).isEqualTo(2);
  }

  @Test
  void aContainerMetricComparesAgainstThatContainersRequestOnly() {
    Pod pod = ready("a", "cpu", "100m");
    pod.getSpec()
        .getContainers()
        .add(
            new io.fabric8.kubernetes.api.model.ContainerBuilder()
                .withName("sidecar")
                .withNewResources()
                .withRequests(Map.of("cpu", new io.fabric8.kubernetes.api.model.Quantity("900m")))
                .endResources()
                .build());

    ReplicaCalculator.Proposal proposal =
        calculator.utilizationReplicas(1, 50, "cpu", "app", List.of(pod), Map.of("a", usage(100)));

    // 100m of the app container's 100m, not of the pod's 1000m
    assertThat(proposal.utilization()).isEqualTo(100);
    assertThat(proposal.replicas()).isEqualTo(2);
  }

  @Test
  void aContainerWithoutRequestIsAnError() {
    Pod noRequest = ready("a", "memory", "1Gi");

    assertThatThrownBy(
            () -> calculator.utilizationReplicas(1, 50, "cpu", List.of(noRequest), Map.of()))
        .isInstanceOf(MetricsUnavailableException.class)
        .hasMessage("missing request for cpu in container app of Pod a");
  }

  @Test
  void noUsableMetricsIsAnError() {
    Pod unready =
        readiness(ready("a", "cpu", "100m", Duration.ofMinutes(1)), "False", NOW.minusSeconds(5));

    assertThatThrownBy(
            () ->
                calculator.utilizationReplicas(
                    1, 50, "cpu", List.of(unready), Map.of("a", usage(50))))
        .hasMessage("did not receive metrics for targeted pods (pods might be unready)");
    assertThatThrownBy(() -> calculator.utilizationReplicas(1, 50, "cpu", List.of(), Map.of()))
        .hasMessage("no pods returned by selector while calculating replica count");
  }

  private static Pod pending(String name) {
    Pod pod = ready(name, "cpu", "100m");
    pod.getStatus().setPhase("Pending");
    return pod;
  }

  private static Pod failed(String name) {
    Pod pod = ready(name, "cpu", "100m");
    pod.getStatus().setPhase("Failed");
    return pod;
  }

  private static Pod deleted(String name) {
    Pod pod = ready(name, "cpu", "100m");
    pod.getMetadata().setDeletionTimestamp(NOW.toString());
    return pod;
  }
}
