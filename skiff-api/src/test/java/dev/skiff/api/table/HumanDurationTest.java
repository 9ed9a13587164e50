package dev.skiff.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HumanDurationTest {
  record Case(String name, Duration duration, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("far future is invalid", Duration.ofSeconds(-2), "<invalid>"),
        new Case("slight skew is now", Duration.ofMillis(-1500), "0s"),
        new Case("zero", Duration.ZERO, "0s"),
        new Case("seconds below two minutes", Duration.ofSeconds(119), "119s"),
        new Case("two minutes", Duration.ofMinutes(2), "2m"),
        new Case("minutes and seconds below ten minutes", Duration.ofSeconds(184), "3m4s"),
        new Case("ten minutes drops seconds", Duration.ofSeconds(601), "10m"),
        new Case("below three hours in minutes", Duration.ofMinutes(179), "179m"),
        new Case("three hours", Duration.ofHours(3), "3h"),
        new Case("hours and minutes below eight hours", Duration.ofMinutes(5 * 60 + 2), "5h2m"),
        new Case("hours below two days", Duration.ofHours(47), "47h"),
        new Case("days and hours below eight days", Duration.ofHours(51), "2d3h"),
        new Case("whole days", Duration.ofDays(3), "3d"),
        new Case("days below two years", Duration.ofDays(400), "400d"),
        new Case("years and days", Duration.ofDays(365 * 3 + 20), "3y20d"),
        new Case("whole years", Duration.ofDays(365 * 2), "2y"),
        new Case("years only beyond eight", Duration.ofDays(365 * 9 + 5), "9y"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void formats(Case c) {
    assertThat(HumanDuration.format(c.duration())).isEqualTo(c.expected());
  }

  @Test
  void sinceTimestamp() {
    Instant now = Instant.parse("2026-01-01T00:10:00Z");
    assertThat(HumanDuration.since("2026-01-01T00:05:00Z", now)).isEqualTo("5m");
    assertThat(HumanDuration.since("", now)).isEqualTo("<unknown>");
    assertThat(HumanDuration.since("garbage", now)).isEqualTo("<unknown>");
  }
}
