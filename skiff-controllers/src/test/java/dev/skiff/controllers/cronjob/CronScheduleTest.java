package dev.skiff.controllers.cronjob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CronScheduleTest {
  record Case(String name, String schedule, String zone, String after, String next) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case(
            "every minute", "* * * * *", "UTC", "2026-01-01T10:00:30Z", "2026-01-01T10:01:00Z"),
        new Case("step", "*/15 * * * *", "UTC", "2026-01-01T10:01:00Z", "2026-01-01T10:15:00Z"),
        new Case(
            "list and range",
            "5,10-12 3 * * *",
            "UTC",
            "2026-01-01T03:10:00Z",
            "2026-01-01T03:11:00Z"),
        new Case("hourly macro", "@hourly", "UTC", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
        new Case("daily macro", "@daily", "UTC", "2026-01-01T10:00:00Z", "2026-01-02T00:00:00Z"),
        new Case(
            "weekly is sunday", "@weekly", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"),
        new Case("yearly", "@yearly", "UTC", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        new Case(
            "month names", "0 0 1 FEB *", "UTC", "2026-01-05T00:00:00Z", "2026-02-01T00:00:00Z"),
        new Case(
            "weekday names",
            "30 8 * * MON-FRI",
            "UTC",
            "2026-01-02T09:00:00Z",
            "2026-01-05T08:30:00Z"),
        new Case(
            "seven is sunday", "0 0 * * 7", "UTC", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"),
        new Case(
            "day of month or week",
            "0 0 13 * FRI",
            "UTC",
            "2026-01-01T00:00:00Z",
            "2026-01-02T00:00:00Z"),
        new Case(
            "time zone",
            "0 9 * * *",
            "Europe/Berlin",
            "2026-01-01T00:00:00Z",
            "2026-01-01T08:00:00Z"),
        new Case(
            "TZ prefix",
            "CRON_TZ=Asia/Tokyo 0 9 * * *",
            "UTC",
            "2026-01-01T00:00:00Z",
            "2026-01-02T00:00:00Z"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void nextTime(Case c) {
    CronSchedule schedule = CronSchedule.parse(c.schedule(), ZoneId.of(c.zone()));
    Instant after = Instant.parse(c.after());
    assertThat(schedule.next(after)).contains(Instant.parse(c.next()));
  }

  @org.junit.jupiter.api.Test
  void rejectsBadSchedules() {
    assertThatThrownBy(() -> CronSchedule.parse("* * * *", ZoneOffset.UTC))
        .hasMessageContaining("expected exactly 5 fields");
    assertThatThrownBy(() -> CronSchedule.parse("61 * * * *", ZoneOffset.UTC))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> CronSchedule.parse("@fortnightly", ZoneOffset.UTC))
        .hasMessageContaining("unrecognized descriptor");
  }
}
