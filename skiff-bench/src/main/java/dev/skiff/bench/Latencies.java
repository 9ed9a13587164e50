package dev.skiff.bench;

import java.util.Arrays;

/** Records latencies in nanoseconds from many threads and reports percentiles. */
public final class Latencies {
  private long[] samples = new long[1024];
  private int count;

  public synchronized void record(long nanos) {
    if (count == samples.length) {
      samples = Arrays.copyOf(samples, count * 2);
    }
    samples[count++] = nanos;
  }

  public synchronized int count() {
    return count;
  }

  /** The p-th percentile (0..100) in milliseconds; 0 when empty. */
  public synchronized double percentileMillis(double p) {
    if (count == 0) {
      return 0;
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * count) - 1;
    return sorted[Math.max(0, Math.min(count - 1, index))] / 1e6;
  }
}
