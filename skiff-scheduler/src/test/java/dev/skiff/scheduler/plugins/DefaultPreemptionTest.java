package dev.skiff.scheduler.plugins;

import static dev.skiff.scheduler.testing.Objects.onNode;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.PodInfo;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DefaultPreemptionTest {
  static PodInfo victim(String name, int priority, String startTime, String app) {
    Pod p =
        new PodBuilder(onNode(pod(name, "1", "1Gi").build(), "n"))
            .editMetadata()
            .addToLabels("app", app)
            .endMetadata()
            .editSpec()
            .withPriority(priority)
            .endSpec()
            .editStatus()
            .withStartTime(startTime)
            .endStatus()
            .build();
    return PodInfo.of(p);
  }

  static final String T1 = "2026-01-01T00:00:00Z";
  static final String T2 = "2026-01-02T00:00:00Z";

  record PickCase(String name, List<DefaultPreemption.Candidate> candidates, String expected) {}

  static DefaultPreemption.Candidate candidate(String node, int violations, PodInfo... victims) {
    return new DefaultPreemption.Candidate(node, List.of(victims), violations);
  }

  static Stream<PickCase> picks() {
    return Stream.of(
        new PickCase(
            "fewest PDB violations first",
            List.of(
                candidate("a", 1, victim("x", 1, T1, "x")),
                candidate("b", 0, victim("y", 50, T1, "y"))),
            "b"),
        new PickCase(
            "then the lowest highest-priority victim",
            List.of(
                candidate("a", 0, victim("x", 50, T1, "x")),
                candidate("b", 0, victim("y", 10, T1, "y"), victim("z", 10, T1, "z"))),
            "b"),
        new PickCase(
            "then the smallest priority sum",
            List.of(
                candidate("a", 0, victim("x", 10, T1, "x"), victim("w", 5, T1, "w")),
                candidate("b", 0, victim("y", 10, T1, "y"), victim("z", 1, T1, "z"))),
            "b"),
        new PickCase(
            "then the fewest victims",
            List.of(
                candidate("a", 0, victim("x", 10, T1, "x"), victim("w", -5, T1, "w")),
                candidate("b", 0, victim("y", 10, T1, "y"))),
            "b"),
        new PickCase(
            "then the most recently started top victims",
            List.of(
                candidate("a", 0, victim("x", 10, T1, "x")),
                candidate("b", 0, victim("y", 10, T2, "y"))),
            "b"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("picks")
  void picksTheCheapestCandidate(PickCase c) {
    assertThat(DefaultPreemption.pickOne(c.candidates()).nodeName()).isEqualTo(c.expected());
  }

  static PodDisruptionBudget pdb(String app, int allowed, String... disrupted) {
    PodDisruptionBudgetBuilder b =
        new PodDisruptionBudgetBuilder()
            .withNewMetadata()
            .withName(app)
            .withNamespace("default")
            .endMetadata()
            .withNewSpec()
            .withSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build())
            .endSpec()
            .withNewStatus()
            .withDisruptionsAllowed(allowed)
            .endStatus();
    for (String d : disrupted) {
      b.editStatus().addToDisruptedPods(d, T1).endStatus();
    }
    return b.build();
  }

  @Test
  void podsBeyondTheirBudgetAreViolating() {
    List<PodInfo> pods =
        List.of(
            victim("db-0", 1, T1, "db"),
            victim("db-1", 1, T1, "db"),
            victim("db-2", 1, T1, "db"),
            victim("web-0", 1, T1, "web"),
            victim("cache-0", 1, T1, "cache"));
    List<PodInfo> violating = new ArrayList<>();
    List<PodInfo> nonViolating = new ArrayList<>();
    DefaultPreemption.splitByPdbViolation(
        pods, List.of(pdb("db", 1), pdb("web", 0, "web-0")), violating, nonViolating);
    assertThat(violating).extracting(PodInfo::name).containsExactly("db-1", "db-2");
    assertThat(nonViolating).extracting(PodInfo::name).containsExactly("db-0", "web-0", "cache-0");
  }

  @Test
  void moreImportantMeansHigherPriorityThenLongerRunning() {
    List<PodInfo> pods =
        new ArrayList<>(
            List.of(
                victim("young", 5, T2, "a"), victim("low", 1, T1, "a"), victim("old", 5, T1, "a")));
    pods.sort(DefaultPreemption.MORE_IMPORTANT);
    assertThat(pods).extracting(PodInfo::name).containsExactly("old", "young", "low");
  }
}
