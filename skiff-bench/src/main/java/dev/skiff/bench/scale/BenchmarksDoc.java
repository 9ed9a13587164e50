package dev.skiff.bench.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the harness's sections of {@code docs/benchmarks.md}: one table row per measurement
 * (workload, node count, pod count), replaced when the same measurement is run again; the rest of
 * the file is left as it is.
 */
final class BenchmarksDoc {
  /** One section of the file: its heading, a sentence on how it is measured, the table head. */
  record Table(String section, String intro, String header, String rule) {}

  static final String SECTION = "## Scheduling (scale harness)";
  static final String HEADER =
      "| workload | nodes | pods | pods/s avg | pods/s p50 | pods/s p90 | pods/s p99 |"
          + " latency p50 | latency p90 | latency p99 | harness CPU | harness peak RSS |"
          + " server CPU | server peak RSS | date | command |";
  static final String RULE = "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
  static final String INTRO =
      "Measured end to end through the API server by `dev.skiff.bench.scale.ScaleHarness`:"
          + " simulated nodes, pods created concurrently, bindings observed by watch. Throughput"
          + " percentiles are over per-second samples; latency runs from the create request to"
          + " the binding seen by the watch.";

  static final Table SCHEDULING = new Table(SECTION, INTRO, HEADER, RULE);

  static final Table SIM_NODES =
      new Table(
          "## Simulated nodes (scale harness)",
          "A fleet of simulated nodes held idle by `ScaleHarness --workload SimNodesIdle`: lease"
              + " renewals (due every 10 s per node), how many started more than 1 s after their"
              + " slot, the worst delay, the longest gap between two renewals of one lease and how"
              + " many renewals came after a lease had expired (gap of 40 s or more), and the CPU"
              + " and peak RSS of the fleet's process and of the API server.",
          "| nodes | held | renewals | late > 1 s | max delay | max gap | lapses | fleet CPU |"
              + " fleet peak RSS | server CPU | server peak RSS | date | command |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|");

  private BenchmarksDoc() {}

  /** The file's new text with {@code row} in the scheduling table. */
  static String upsert(String existing, String key, String row) {
    return upsert(SCHEDULING, existing, key, row);
  }

  /** The file's new text with {@code row} put in place of the row with the same key. */
  static String upsert(Table table, String existing, String key, String row) {
    List<String> lines =
        new ArrayList<>(existing.isEmpty() ? List.of() : existing.lines().toList());
    int section = lines.indexOf(table.section());
    if (section < 0) {
      if (lines.isEmpty()) {
        lines.add("# Benchmarks");
      }
      lines.add("");
      lines.add(table.section());
      lines.add("");
      lines.add(table.intro());
      lines.add("");
      lines.add(table.header());
      lines.add(table.rule());
      lines.add(row);
      return String.join("\n", lines) + "\n";
    }
    int end = section + 1;
    while (end < lines.size() && !lines.get(end).startsWith("## ")) {
      end++;
    }
    int lastRow = -1;
    for (int i = section + 1; i < end; i++) {
      String line = lines.get(i);
      if (line.startsWith(key)) {
        lines.set(i, row);
        return String.join("\n", lines) + "\n";
      }
      if (line.startsWith("|")) {
        lastRow = i;
      }
    }
    if (lastRow < 0) {
      lines.add(end, row);
      lines.add(end, table.rule());
      lines.add(end, table.header());
    } else {
      lines.add(lastRow + 1, row);
    }
    return String.join("\n", lines) + "\n";
  }

  static void write(Table table, Path file, String key, String row) throws IOException {
    String existing = Files.exists(file) ? Files.readString(file) : "";
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, upsert(table, existing, key, row));
  }
}
