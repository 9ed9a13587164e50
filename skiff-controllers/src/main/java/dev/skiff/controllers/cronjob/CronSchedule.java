package dev.skiff.controllers.cronjob;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A standard five-field cron schedule (minute hour day-of-month month day-of-week) with lists,
 * ranges, steps, month and weekday names and the @yearly/@annually, @monthly, @weekly,
 *
 * @daily/@midnight and @hourly macros, evaluated in a time zone. When both day fields are
 *     restricted a day matches either, as in Vixie cron.
 */
public final class CronSchedule {
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean dayOfMonthStar;
  private final boolean dayOfWeekStar;
  private final ZoneId zone;

  private CronSchedule(String[] fields, ZoneId zone) {
    this.minutes = field(fields[0], 0, 59, List.of(), 0);
    this.hours = field(fields[1], 0, 23, List.of(), 0);
    this.daysOfMonth = field(fields[2], 1, 31, List.of(), 0);
    this.months = field(fields[3], 1, 12, MONTHS, 1);
    BitSet dow = field(fields[4], 0, 7, DAYS, 0);
    if (dow.get(7)) {
      dow.set(0);
    }
    this.daysOfWeek = dow;
    this.dayOfMonthStar = fields[2].startsWith("*") || fields[2].equals("?");
    this.dayOfWeekStar = fields[4].startsWith("*") || fields[4].equals("?");
    this.zone = zone;
  }

  /** Parses a schedule; throws IllegalArgumentException with the reason when it is invalid. */
  public static CronSchedule parse(String schedule, ZoneId zone) {
    String text = schedule.trim();
    if (text.startsWith("TZ=") || text.startsWith("CRON_TZ=")) {
      int space = text.indexOf(' ');
      if (space < 0) {
        throw new IllegalArgumentException("missing schedule after time zone: " + schedule);
      }
      zone = ZoneId.of(text.substring(text.indexOf('=') + 1, space));
      text = text.substring(space + 1).trim();
    }
    String expanded = MACROS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
    if (expanded.startsWith("@")) {
      throw new IllegalArgumentException("unrecognized descriptor: " + text);
    }
    String[] fields = expanded.split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException(
          "expected exactly 5 fields, found " + fields.length + ": " + schedule);
    }
    return new CronSchedule(fields, zone);
  }

  private static BitSet field(String text, int min, int max, List<String> names, int nameBase) {
    BitSet bits = new BitSet(max + 1);
    for (String part : text.split(",")) {
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        step = Integer.parseInt(part.substring(slash + 1));
        range = part.substring(0, slash);
        if (step <= 0) {
          throw new IllegalArgumentException("step must be positive: " + part);
        }
      }
      int from;
      int to;
      if (range.equals("*") || range.equals("?")) {
        from = min;
        to = max == 7 ? 6 : max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", 2);
        from = value(ends[0], names, nameBase);
        to = value(ends[1], names, nameBase);
      } else {
        from = value(range, names, nameBase);
        to = slash >= 0 ? (max == 7 ? 6 : max) : from;
      }
      if (from < min || to > max || from > to) {
        throw new IllegalArgumentException("value out of range [" + min + "-" + max + "]: " + part);
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int value(String text, List<String> names, int nameBase) {
    int named = names.indexOf(text.toUpperCase(Locale.ROOT));
    if (named >= 0) {
      return named + nameBase;
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("failed to parse int from " + text, e);
    }
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first scheduled time strictly after the given instant (within five years). */
  public Optional<Instant> next(Instant after) {
    ZonedDateTime t = after.atZone(zone).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    ZonedDateTime limit = t.plusYears(5);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
        continue;
      }
      if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
        continue;
      }
      if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        continue;
      }
      if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
        continue;
      }
      return Optional.of(t.toInstant());
    }
    return Optional.empty();
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    DayOfWeek day = t.getDayOfWeek();
    boolean dow = daysOfWeek.get(day.getValue() % 7);
    if (dayOfMonthStar || dayOfWeekStar) {
      return dom && dow;
    }
    return dom || dow;
  }
}
