package dev.skiff.bench.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time and resident memory of a process, from /proc (Linux): CPU as utime + stime, memory as
 * VmRSS (current) and VmHWM (peak).
 */
record ProcessStats(Duration cpu, long rssBytes, long peakRssBytes) {
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  static ProcessStats of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the parenthesised command name; utime and stime are the 14th and 15th
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      long rss = 0;
      long hwm = 0;
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = kilobytes(line) * 1024;
        } else if (line.startsWith("VmHWM:")) {
          hwm = kilobytes(line) * 1024;
        }
      }
      return new ProcessStats(Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND), rss, hwm);
    } catch (IOException | RuntimeException e) {
      return new ProcessStats(Duration.ZERO, 0, 0);
    }
  }

  static ProcessStats self() {
    return of(ProcessHandle.current().pid());
  }

  private static long kilobytes(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  long rssMegabytes() {
    return rssBytes / (1024 * 1024);
  }

  long peakRssMegabytes() {
    return peakRssBytes / (1024 * 1024);
  }
}
