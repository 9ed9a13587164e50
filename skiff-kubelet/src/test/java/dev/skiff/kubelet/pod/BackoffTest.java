package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BackoffTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void firstFailureIsRetriedAtOnceThenTenSecondsDoublingToFiveMinutes() {
    FakeClock clock = new FakeClock(T0);
    Backoff backoff = Backoff.kubelet(clock);
    assertThat(backoff.inBackOffSince("k", T0)).isFalse();
    backoff.next("k", T0);
    assertThat(backoff.get("k")).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.inBackOffSince("k", T0)).isTrue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(backoff.inBackOffSince("k", T0)).isFalse();

    Duration[] expected = {
      Duration.ofSeconds(20),
      Duration.ofSeconds(40),
      Duration.ofSeconds(80),
      Duration.ofSeconds(160),
      Duration.ofSeconds(300),
      Duration.ofSeconds(300)
    };
    for (Duration d : expected) {
      backoff.next("k", clock.instant());
      assertThat(backoff.get("k")).isEqualTo(d);
      clock.advance(d);
    }
  }

  @Test
  void failureMoreThanTenMinutesAfterTheLastStartsOver() {
    FakeClock clock = new FakeClock(T0);
    Backoff backoff = Backoff.kubelet(clock);
    backoff.next("k", T0);
    backoff.next("k", T0);
    assertThat(backoff.get("k")).isEqualTo(Duration.ofSeconds(20));
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(backoff.inBackOffSince("k", clock.instant())).isFalse();
    backoff.next("k", clock.instant());
    assertThat(backoff.get("k")).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void removeAllForgetsAPodsKeys() {
    Backoff backoff = Backoff.kubelet(new FakeClock(T0));
    backoff.next("u1/app", T0);
    backoff.next("u2/app", T0);
    backoff.removeAll("u1/");
    assertThat(backoff.get("u1/app")).isZero();
    assertThat(backoff.get("u2/app")).isEqualTo(Duration.ofSeconds(10));
  }

  record GoDuration(String name, Duration duration, String expected) {}

  static Stream<GoDuration> goDurations() {
    return Stream.of(
        new GoDuration("zero", Duration.ZERO, "0s"),
        new GoDuration("millis", Duration.ofMillis(250), "250ms"),
        new GoDuration("seconds", Duration.ofSeconds(10), "10s"),
        new GoDuration("fraction", Duration.ofMillis(1500), "1.5s"),
        new GoDuration("minutes", Duration.ofSeconds(80), "1m20s"),
        new GoDuration("whole minutes", Duration.ofMinutes(5), "5m0s"),
        new GoDuration("hours", Duration.ofSeconds(3605), "1h0m5s"));
  }

  @ParameterizedTest
  @MethodSource("goDurations")
  void durationsPrintAsGoPrintsThem(GoDuration c) {
    assertThat(Backoff.goDuration(c.duration())).isEqualTo(c.expected());
  }
}
