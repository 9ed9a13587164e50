package dev.skiff.bench.node;

import java.util.Arrays;
import java.util.Collection;

/** The arithmetic of {@link PodStartupBenchmark}: percentiles, ratios and /proc parsing. */
final class NodeBenchMath {
  private NodeBenchMath() {}

  /** Nearest-rank p50, p99 and maximum of a sample, in milliseconds. */
  record Summary(int count, double p50, double p99, double max) {
    static final Summary EMPTY = new Summary(0, 0, 0, 0);
  }

  /** Summarises latencies given in nanoseconds. */
  static Summary summarize(Collection<Long> nanos) {
    if (nanos.isEmpty()) {
      return Summary.EMPTY;
    }
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Summary(
        sorted.length,
        rank(sorted, 50) / 1e6,
        rank(sorted, 99) / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }

  /**
   * The nearest-rank percentile: the smallest value with at least p % of the sample at or below.
   */
  static long rank(long[] sorted, double percentile) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("empty sample");
    }
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** {@code value / baseline}, or NaN when the baseline is not positive. */
  static double ratio(double value, double baseline) {
    return baseline > 0 ? value / baseline : Double.NaN;
  }

  /** VmRSS in kilobytes from the text of /proc/PID/status; -1 when the line is missing. */
  static long vmRssKilobytes(String procStatus) {
    return Arrays.stream(procStatus.split("\n"))
        .filter(line -> line.startsWith("VmRSS:"))
        .map(line -> line.substring("VmRSS:".length()).strip())
        .map(value -> value.endsWith("kB") ? value.substring(0, value.length() - 2).strip() : value)
        .mapToLong(Long::parseLong)
        .findFirst()
        .orElse(-1);
  }

  /** The 1-minute load average from the text of /proc/loadavg. */
  static double loadAverage1(String procLoadavg) {
    return Double.parseDouble(procLoadavg.strip().split("\\s+")[0]);
  }
}
