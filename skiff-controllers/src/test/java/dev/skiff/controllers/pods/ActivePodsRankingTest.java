package dev.skiff.controllers.pods;

import static dev.skiff.controllers.pods.TestPods.created;
import static dev.skiff.controllers.pods.TestPods.pod;
import static dev.skiff.controllers.pods.TestPods.ready;
import static dev.skiff.controllers.pods.TestPods.restarts;
import static dev.skiff.controllers.pods.TestPods.running;
import static dev.skiff.controllers.pods.TestPods.scheduled;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ActivePodsRankingTest {
  private static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

  /** first is deleted before second. */
  record Case(String name, Supplier<Pod> first, Supplier<Pod> second) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case(
            "unscheduled before scheduled",
            () -> pod("a", Map.of()),
            () -> scheduled(pod("b", Map.of()), "n1")),
        new Case(
            "pending before running",
            () -> scheduled(pod("a", Map.of()), "n1"),
            () -> running(scheduled(pod("b", Map.of()), "n1"))),
        new Case(
            "unknown before running",
            () -> {
              Pod p = scheduled(pod("a", Map.of()), "n1");
              p.getStatus().setPhase("Unknown");
              return p;
            },
            () -> running(scheduled(pod("b", Map.of()), "n1"))),
        new Case(
            "not ready before ready",
            () -> running(scheduled(pod("a", Map.of()), "n1")),
            () -> ready(scheduled(pod("b", Map.of()), "n1"), NOW.minusSeconds(600))),
        new Case(
            "lower deletion cost first",
            () -> {
              Pod p = ready(scheduled(pod("a", Map.of()), "n1"), NOW.minusSeconds(600));
              p.getMetadata()
                  .setAnnotations(Map.of(ActivePodsRanking.DELETION_COST_ANNOTATION, "-5"));
              return p;
            },
            () -> ready(scheduled(pod("b", Map.of()), "n1"), NOW.minusSeconds(600))),
        new Case(
            "recently ready before long ready",
            () -> ready(scheduled(pod("a", Map.of()), "n1"), NOW.minusSeconds(10)),
            () -> ready(scheduled(pod("b", Map.of()), "n1"), NOW.minusSeconds(3600))),
        new Case(
            "more restarts first",
            () -> restarts(running(scheduled(pod("a", Map.of()), "n1")), 4),
            () -> restarts(running(scheduled(pod("b", Map.of()), "n1")), 1)),
        new Case(
            "newer before older",
            () -> created(running(scheduled(pod("a", Map.of()), "n1")), NOW.minusSeconds(5)),
            () ->
                created(
                    running(scheduled(pod("b", Map.of()), "n1")), NOW.minus(Duration.ofHours(1)))));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void ranks(Case c) {
    Pod first = c.first().get();
    Pod second = c.second().get();
    assertThat(ActivePodsRanking.podsToDelete(List.of(second, first), List.of(), 1, NOW))
        .extracting(p -> p.getMetadata().getName())
        .containsExactly(first.getMetadata().getName());
    assertThat(ActivePodsRanking.podsToDelete(List.of(first, second), List.of(), 1, NOW))
        .extracting(p -> p.getMetadata().getName())
        .containsExactly(first.getMetadata().getName());
  }

  @org.junit.jupiter.api.Test
  void podsDoubledUpOnANodeGoFirst() {
    Pod alone = running(scheduled(pod("alone", Map.of()), "n1"));
    Pod crowded = running(scheduled(pod("crowded", Map.of()), "n2"));
    Pod neighbour = running(scheduled(pod("neighbour", Map.of()), "n2"));

    List<Pod> victims =
        ActivePodsRanking.podsToDelete(
            List.of(alone, crowded), List.of(alone, crowded, neighbour), 1, NOW);

    assertThat(victims).extracting(p -> p.getMetadata().getName()).containsExactly("crowded");
  }
}
