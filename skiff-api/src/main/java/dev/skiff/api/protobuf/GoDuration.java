package dev.skiff.api.protobuf;

/** Go's time.Duration text form ("1h2m3.5s", "300ms", "0s"), as metav1.Duration marshals. */
final class GoDuration {
  /** Go's zero time.Time (year 1) in Unix seconds: how an unset metav1.Time travels. */
  static final long ZERO_TIME_UNIX_SECONDS = -62135596800L;

  private GoDuration() {}

  static String format(long nanos) {
    if (nanos == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    if (nanos < 0) {
      out.append('-');
      nanos = -nanos;
    }
    if (nanos < 1_000_000_000L) {
      if (nanos < 1_000) {
        return out.append(nanos).append("ns").toString();
      }
      if (nanos < 1_000_000) {
        return out.append(fraction(nanos, 1_000)).append("µs").toString();
      }
      return out.append(fraction(nanos, 1_000_000)).append("ms").toString();
    }
    long hours = nanos / 3_600_000_000_000L;
    long minutes = nanos / 60_000_000_000L % 60;
    long rest = nanos % 60_000_000_000L;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    return out.append(fraction(rest, 1_000_000_000L)).append('s').toString();
  }

  /** value/unit with the fractional digits Go prints (trailing zeros dropped). */
  private static String fraction(long value, long unit) {
    long whole = value / unit;
    long frac = value % unit;
    if (frac == 0) {
      return Long.toString(whole);
    }
    String digits = String.valueOf(unit + frac).substring(1).replaceAll("0+$", "");
    return whole + "." + digits;
  }
}
