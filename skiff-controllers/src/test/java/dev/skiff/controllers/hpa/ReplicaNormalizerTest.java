package dev.skiff.controllers.hpa;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.controllers.hpa.ReplicaNormalizer.Normalized;
import dev.skiff.controllers.hpa.ScalingRules.Policy;
import dev.skiff.controllers.runtime.FakeClock;
import dev.skiff.controllers.runtime.ObjectKey;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehaviorBuilder;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ReplicaNormalizerTest {
  private static final ObjectKey KEY = new ObjectKey("default", "web");
  private static final ScalingRules DEFAULT_UP = ScalingRules.scaleUp(null);
  private static final ScalingRules DEFAULT_DOWN = ScalingRules.scaleDown(null, 300);
  private static final ScalingRules NO_WINDOW_DOWN =
      new ScalingRules(0, ScalingRules.MAX, DEFAULT_DOWN.policies());

  private final FakeClock clock = new FakeClock();
  private final ReplicaNormalizer normalizer = new ReplicaNormalizer(clock, Duration.ofMinutes(5));

  /** One normalization with no history: rate limits against the current count alone. */
  record Case(
      String name,
      ScalingRules up,
      ScalingRules down,
      int current,
      int recommended,
      int min,
      int max,
      int expected,
      String limitReason) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    ScalingRules tenPercentDown =
        new ScalingRules(0, ScalingRules.MAX, List.of(new Policy(Policy.PERCENT, 10, 60)));
    ScalingRules podsOrPercentDownMin =
        new ScalingRules(
            0,
            ScalingRules.MIN,
            List.of(new Policy(Policy.PODS, 4, 60), new Policy(Policy.PERCENT, 10, 60)));
    ScalingRules podsOrPercentDownMax =
        new ScalingRules(
            0,
            ScalingRules.MAX,
            List.of(new Policy(Policy.PODS, 4, 60), new Policy(Policy.PERCENT, 10, 60)));
    ScalingRules disabled = new ScalingRules(0, ScalingRules.DISABLED, List.of());
    return Stream.of(
        new Case(
            "default scale-up from 1: 4 pods beats 100 %",
            DEFAULT_UP, NO_WINDOW_DOWN, 1, 10, 1, 20, 5, "ScaleUpLimit"),
        new Case(
            "default scale-up from 10: 100 % beats 4 pods",
            DEFAULT_UP, NO_WINDOW_DOWN, 10, 50, 1, 100, 20, "ScaleUpLimit"),
        new Case(
            "max replicas bound a scale-up the rate allows",
            DEFAULT_UP,
            NO_WINDOW_DOWN,
            4,
            16,
            1,
            6,
            6,
            "TooManyReplicas"),
        new Case(
            "min replicas bound a scale-down",
            DEFAULT_UP,
            NO_WINDOW_DOWN,
            4,
            1,
            2,
            10,
            2,
            "TooFewReplicas"),
        new Case(
            "10 % per minute down from 80 removes 8",
            DEFAULT_UP, tenPercentDown, 80, 10, 1, 100, 72, "ScaleDownLimit"),
        new Case(
            "Max picks the policy allowing the largest change: 10 % of 80 over 4 pods",
            DEFAULT_UP, podsOrPercentDownMax, 80, 10, 1, 100, 72, "ScaleDownLimit"),
        new Case(
            "Min picks the policy allowing the smallest change: 4 pods over 10 % of 80",
            DEFAULT_UP, podsOrPercentDownMin, 80, 10, 1, 100, 76, "ScaleDownLimit"),
        new Case(
            "Disabled scale-down keeps the count",
            DEFAULT_UP,
            disabled,
            5,
            1,
            1,
            10,
            5,
            "ScaleDownLimit"),
        new Case(
            "a recommendation within all limits is applied",
            DEFAULT_UP,
            NO_WINDOW_DOWN,
            3,
            5,
            1,
            10,
            5,
            "DesiredWithinRange"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void limits(Case c) {
    Normalized normalized =
        normalizer.normalize(KEY, c.up(), c.down(), c.current(), c.recommended(), c.min(), c.max());

    assertThat(normalized.replicas()).isEqualTo(c.expected());
    assertThat(normalized.limitReason()).isEqualTo(c.limitReason());
    assertThat(normalized.limited()).isEqualTo(c.expected() != c.recommended());
  }

  @Test
  void scaleUpsWithinAPeriodShareItsBudget() {
    ScalingRules twoPodsPerMinute =
        new ScalingRules(0, ScalingRules.MAX, List.of(new Policy(Policy.PODS, 2, 60)));

    assertThat(normalize(twoPodsPerMinute, 1, 10)).isEqualTo(3);
    normalizer.recordScale(KEY, twoPodsPerMinute, NO_WINDOW_DOWN, 1, 3);
    clock.advance(Duration.ofSeconds(30));
    // two pods were added in this minute already: the period began at 1 replica
    assertThat(normalize(twoPodsPerMinute, 3, 10)).isEqualTo(3);
    clock.advance(Duration.ofSeconds(31));
    assertThat(normalize(twoPodsPerMinute, 3, 10)).isEqualTo(5);
  }

  @Test
  void percentScaleDownCountsFromThePeriodStart() {
    ScalingRules tenPercentDown =
        new ScalingRules(0, ScalingRules.MAX, List.of(new Policy(Policy.PERCENT, 10, 60)));

    assertThat(normalizeDown(tenPercentDown, 80, 10)).isEqualTo(72);
    normalizer.recordScale(KEY, DEFAULT_UP, tenPercentDown, 80, 72);
    clock.advance(Duration.ofSeconds(10));
    assertThat(normalizeDown(tenPercentDown, 72, 10)).isEqualTo(72);
    clock.advance(Duration.ofSeconds(51));
    // 10 % of 72 is 7.2: the limit rounds the remaining count down, so 8 go
    assertThat(normalizeDown(tenPercentDown, 72, 10)).isEqualTo(64);
  }

  @Test
  void scaleDownWaitsForTheHighestRecommendationInItsWindow() {
    ScalingRules window60 = new ScalingRules(60, ScalingRules.MAX, DEFAULT_DOWN.policies());
    normalizer.recordInitial(KEY, 10);

    clock.advance(Duration.ofSeconds(20));
    Normalized early = normalizer.normalize(KEY, DEFAULT_UP, window60, 10, 4, 1, 20);
    assertThat(early.replicas()).isEqualTo(10);
    assertThat(early.ableReason()).isEqualTo("ScaleDownStabilized");

    clock.advance(Duration.ofSeconds(30));
    assertThat(normalizer.normalize(KEY, DEFAULT_UP, window60, 10, 6, 1, 20).replicas())
        .isEqualTo(10);

    clock.advance(Duration.ofSeconds(15));
    // the initial 10 left the window; 6 (35 s ago) is now the highest recommendation
    Normalized later = normalizer.normalize(KEY, DEFAULT_UP, window60, 10, 3, 1, 20);
    assertThat(later.replicas()).isEqualTo(6);
    assertThat(later.ableReason()).isEqualTo("ScaleDownStabilized");

    clock.advance(Duration.ofSeconds(61));
    Normalized settled = normalizer.normalize(KEY, DEFAULT_UP, window60, 6, 3, 1, 20);
    assertThat(settled.replicas()).isEqualTo(3);
    assertThat(settled.ableReason()).isEqualTo("ReadyForNewScale");
  }

  @Test
  void scaleUpWindowAppliesTheLowestRecentRecommendation() {
    ScalingRules upWindow = new ScalingRules(60, ScalingRules.MAX, DEFAULT_UP.policies());
    normalizer.recordInitial(KEY, 3);
    clock.advance(Duration.ofSeconds(10));

    Normalized normalized = normalizer.normalize(KEY, upWindow, NO_WINDOW_DOWN, 3, 8, 1, 20);

    assertThat(normalized.replicas()).isEqualTo(3);
    assertThat(normalized.ableReason()).isEqualTo("ScaleUpStabilized");
  }

  @Test
  void defaultsMatchKubernetes() {
    ScalingRules[] rules = ScalingRules.of(null, 300);
    assertThat(rules[0].stabilizationWindowSeconds()).isZero();
    assertThat(rules[0].policies())
        .containsExactlyInAnyOrder(
            new Policy(Policy.PERCENT, 100, 15), new Policy(Policy.PODS, 4, 15));
    assertThat(rules[1].stabilizationWindowSeconds()).isEqualTo(300);
    assertThat(rules[1].policies()).containsExactly(new Policy(Policy.PERCENT, 100, 15));

    ScalingRules[] partial =
        ScalingRules.of(
            new HorizontalPodAutoscalerBehaviorBuilder()
                .withNewScaleDown()
                .withSelectPolicy("Min")
                .endScaleDown()
                .build(),
            300);
    assertThat(partial[1].stabilizationWindowSeconds()).isEqualTo(300);
    assertThat(partial[1].selectPolicy()).isEqualTo("Min");
    assertThat(partial[1].policies()).containsExactly(new Policy(Policy.PERCENT, 100, 15));
  }

  @Test
  void withoutBehaviorScaleUpAtMostDoublesAndScaleDownUsesTheDownscaleWindow() {
    Normalized up = normalizer.normalize(KEY, 3, 20, 1, 100);
    assertThat(up.replicas()).isEqualTo(6);
    assertThat(up.limitReason()).isEqualTo("ScaleUpLimit");

    Normalized small = normalizer.normalize(new ObjectKey("default", "small"), 1, 20, 1, 100);
    assertThat(small.replicas()).isEqualTo(4);

    ObjectKey other = new ObjectKey("default", "other");
    assertThat(normalizer.normalize(other, 10, 10, 1, 100).replicas()).isEqualTo(10);
    clock.advance(Duration.ofMinutes(1));
    Normalized down = normalizer.normalize(other, 10, 2, 1, 100);
    assertThat(down.replicas()).isEqualTo(10);
    assertThat(down.ableReason()).isEqualTo("ScaleDownStabilized");

    clock.advance(Duration.ofMinutes(5));
    assertThat(normalizer.normalize(other, 10, 2, 1, 100).replicas()).isEqualTo(2);
  }

  private int normalize(ScalingRules up, int current, int recommended) {
    return normalizer.normalize(KEY, up, NO_WINDOW_DOWN, current, recommended, 1, 100).replicas();
  }

  private int normalizeDown(ScalingRules down, int current, int recommended) {
    return normalizer.normalize(KEY, DEFAULT_UP, down, current, recommended, 1, 100).replicas();
  }
}
