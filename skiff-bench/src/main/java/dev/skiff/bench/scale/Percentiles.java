package dev.skiff.bench.scale;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample, as scheduler_perf reports them. */
record Percentiles(int count, double average, double p50, double p90, double p99, double max) {

  static Percentiles of(double[] values) {
    if (values.length == 0) {
      return new Percentiles(0, 0, 0, 0, 0, 0);
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double sum = 0;
    for (double v : sorted) {
      sum += v;
    }
    return new Percentiles(
        sorted.length,
        sum / sorted.length,
        rank(sorted, 50),
        rank(sorted, 90),
        rank(sorted, 99),
        sorted[sorted.length - 1]);
  }

  private static double rank(double[] sorted, int percentile) {
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
