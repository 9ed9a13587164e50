package dev.skiff.controllers.disruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.controllers.pods.TestPods;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BudgetStatusTest {
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  /** Scales: rs-a (uid-rs-a) = 4, rs-b = 2, everything else unknown. */
  static final ScaleFinder SCALES =
      (ref, ns) ->
          switch (ref.getUid()) {
            case "uid-rs-a" -> Optional.of(new ScaleFinder.ControllerScale("uid-dep", 4));
            case "uid-rs-a2" -> Optional.of(new ScaleFinder.ControllerScale("uid-dep", 4));
            case "uid-rs-b" -> Optional.of(new ScaleFinder.ControllerScale("uid-rs-b", 2));
            default -> Optional.empty();
          };

  static OwnerReference owner(String name) {
    return new OwnerReferenceBuilder()
        .withApiVersion("apps/v1")
        .withKind("ReplicaSet")
        .withName(name)
        .withUid("uid-" + name)
        .withController(true)
        .build();
  }

  static Pod ready(String name, String owner) {
    Pod pod = TestPods.ready(TestPods.pod(name, Map.of("app", "web")), NOW);
    return owner == null ? pod : TestPods.owned(pod, owner(owner));
  }

  static Pod unready(String name, String owner) {
    Pod pod = TestPods.running(TestPods.pod(name, Map.of("app", "web")));
    return owner == null ? pod : TestPods.owned(pod, owner(owner));
  }

  static PodDisruptionBudget budget(IntOrString min, IntOrString max) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("b")
        .withGeneration(3L)
        .endMetadata()
        .withNewSpec()
        .withMinAvailable(min)
        .withMaxUnavailable(max)
        .withNewSelector()
        .withMatchLabels(Map.of("app", "web"))
        .endSelector()
        .endSpec()
        .build();
  }

  record Case(
      String name,
      IntOrString min,
      IntOrString max,
      List<Pod> pods,
      int expected,
      int desired,
      int healthy,
      int allowed) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    IntOrString none = null;
    return Stream.of(
        new Case(
            "integer minAvailable counts selected pods",
            new IntOrString(2),
            none,
            List.of(ready("a", null), ready("b", null), ready("c", null)),
            3,
            2,
            3,
            1),
        new Case(
            "unready pods are not healthy",
            new IntOrString(2),
            none,
            List.of(ready("a", null), unready("b", null), ready("c", null)),
            3,
            2,
            2,
            0),
        new Case(
            "terminating pods are not healthy",
            new IntOrString(1),
            none,
            List.of(ready("a", null), TestPods.terminating(ready("b", null))),
            2,
            1,
            1,
            0),
        new Case(
            "percentage minAvailable uses the controller scale, rounded up",
            new IntOrString("50%"),
            none,
            List.of(ready("a", "rs-a"), ready("b", "rs-a"), ready("c", "rs-a")),
            4,
            2,
            3,
            1),
        new Case(
            "maxUnavailable uses the controller scale",
            none,
            new IntOrString(1),
            List.of(ready("a", "rs-a"), ready("b", "rs-a"), ready("c", "rs-a"), ready("d", "rs-a")),
            4,
            3,
            4,
            1),
        new Case(
            "maxUnavailable percentage rounds up",
            none,
            new IntOrString("30%"),
            List.of(ready("a", "rs-a"), ready("b", "rs-a"), ready("c", "rs-a"), ready("d", "rs-a")),
            4,
            2,
            4,
            2),
        new Case(
            "controllers counted once each, deployment through two replica sets",
            none,
            new IntOrString(0),
            List.of(ready("a", "rs-a"), ready("b", "rs-a2"), ready("c", "rs-b")),
            6,
            6,
            3,
            0),
        new Case(
            "maxUnavailable larger than scale keeps desiredHealthy at zero",
            none,
            new IntOrString(10),
            List.of(ready("a", "rs-b")),
            2,
            0,
            1,
            1),
        new Case(
            "no pods expected allows no disruption",
            new IntOrString(0),
            none,
            List.of(),
            0,
            0,
            0,
            0));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void computesKubernetesNumbers(Case c) {
    BudgetStatus.Counts counts =
        BudgetStatus.compute(budget(c.min(), c.max()), c.pods(), SCALES, NOW);

    assertThat(counts.expectedPods()).as("expectedPods").isEqualTo(c.expected());
    assertThat(counts.desiredHealthy()).as("desiredHealthy").isEqualTo(c.desired());
    assertThat(counts.currentHealthy()).as("currentHealthy").isEqualTo(c.healthy());
    assertThat(counts.disruptionsAllowed()).as("disruptionsAllowed").isEqualTo(c.allowed());
  }

  @Test
  void podWithoutControllerFailsAPercentageBudgetButIsReportedUnmanaged() {
    BudgetStatus.Counts counts =
        BudgetStatus.compute(
            budget(new IntOrString("50%"), null),
            List.of(ready("a", "rs-b"), ready("lonely", null)),
            SCALES,
            NOW);
    assertThat(counts.unmanagedPods()).containsExactly("lonely");
    assertThat(counts.expectedPods()).isEqualTo(2);
  }

  @Test
  void unknownControllerIsASyncFailure() {
    assertThatThrownBy(
            () ->
                BudgetStatus.compute(
                    budget(null, new IntOrString(1)), List.of(ready("a", "gone")), SCALES, NOW))
        .isInstanceOf(BudgetStatus.SyncFailure.class)
        .hasMessage("found no controllers for pod \"a\"");
  }

  @Test
  void recentlyEvictedPodsAreKeptAndNotHealthyUntilTheTimeout() {
    PodDisruptionBudget budget = budget(new IntOrString(1), null);
    budget.setStatus(
        new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder()
            .withDisruptedPods(
                Map.of(
                    "a", NOW.minusSeconds(30).toString(),
                    "b", NOW.minusSeconds(600).toString(),
                    "gone", NOW.toString()))
            .build());
    List<Pod> pods = new ArrayList<>(List.of(ready("a", null), ready("b", null), ready("c", null)));

    BudgetStatus.Counts counts = BudgetStatus.compute(budget, pods, SCALES, NOW);

    assertThat(counts.disruptedPods()).containsOnlyKeys("a");
    assertThat(counts.currentHealthy()).isEqualTo(2);
    assertThat(counts.recheckAt())
        .isEqualTo(NOW.minusSeconds(30).plus(BudgetStatus.DELETION_TIMEOUT));
  }

  @Test
  void statusCarriesGenerationAndCondition() {
    PodDisruptionBudget budget = budget(new IntOrString(1), null);
    var sufficient =
        BudgetStatus.status(
            budget,
            BudgetStatus.compute(budget, List.of(ready("a", null), ready("b", null)), SCALES, NOW),
            NOW);
    assertThat(sufficient.getObservedGeneration()).isEqualTo(3L);
    assertThat(sufficient.getConditions()).hasSize(1);
    assertThat(sufficient.getConditions().get(0).getType()).isEqualTo("DisruptionAllowed");
    assertThat(sufficient.getConditions().get(0).getStatus()).isEqualTo("True");
    assertThat(sufficient.getConditions().get(0).getReason()).isEqualTo("SufficientPods");
    assertThat(sufficient.getConditions().get(0).getObservedGeneration()).isEqualTo(3L);

    budget.setStatus(sufficient);
    Instant later = NOW.plusSeconds(60);
    var insufficient =
        BudgetStatus.status(
            budget, BudgetStatus.compute(budget, List.of(ready("a", null)), SCALES, later), later);
    assertThat(insufficient.getConditions().get(0).getStatus()).isEqualTo("False");
    assertThat(insufficient.getConditions().get(0).getReason()).isEqualTo("InsufficientPods");
    assertThat(insufficient.getConditions().get(0).getLastTransitionTime())
        .isEqualTo(later.toString());
    assertThat(BudgetStatus.changed(budget, insufficient)).isTrue();

    budget.setStatus(insufficient);
    var again =
        BudgetStatus.status(
            budget,
            BudgetStatus.compute(budget, List.of(ready("a", null)), SCALES, later.plusSeconds(5)),
            later.plusSeconds(5));
    assertThat(BudgetStatus.changed(budget, again)).isFalse();
  }

  @Test
  void failSafeAllowsNothing() {
    PodDisruptionBudget budget = budget(null, new IntOrString(1));
    var status = BudgetStatus.failSafe(budget, "found no controllers for pod \"a\"", NOW);
    assertThat(status.getDisruptionsAllowed()).isZero();
    assertThat(status.getObservedGeneration()).isEqualTo(3L);
    assertThat(status.getConditions().get(0).getReason()).isEqualTo("SyncFailed");
    assertThat(status.getConditions().get(0).getMessage())
        .isEqualTo("found no controllers for pod \"a\"");
  }
}
