package dev.skiff.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchmarksDocTest {

  @Test
  void addsTheSectionToAFileWithOtherTables() {
    String existing = "# Benchmarks\n\n## API server\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";

    String updated =
        BenchmarksDoc.upsert(
            existing, "| SchedulingBasic | 500 | 2000 |", "| SchedulingBasic | 500 | 2000 | 900 |");

    assertThat(updated).startsWith(existing);
    assertThat(updated).contains(BenchmarksDoc.SECTION + "\n");
    assertThat(updated)
        .endsWith(
            BenchmarksDoc.HEADER
                + "\n"
                + BenchmarksDoc.RULE
                + "\n| SchedulingBasic | 500 | 2000 | 900 |\n");
  }

  @Test
  void replacesTheRowOfTheSameMeasurementAndAppendsOthers() {
    String key = "| SchedulingBasic | 500 | 2000 |";
    String first = BenchmarksDoc.upsert("", key, key + " 900 |");
    String trailing = first + "\n## Kubelet\n\n| x |\n";

    String replaced = BenchmarksDoc.upsert(trailing, key, key + " 1200 |");
    String appended =
        BenchmarksDoc.upsert(
            replaced, "| Preemption | 500 | 2000 |", "| Preemption | 500 | 2000 | 300 |");

    assertThat(replaced).contains(key + " 1200 |").doesNotContain(key + " 900 |");
    assertThat(appended)
        .contains(key + " 1200 |\n| Preemption | 500 | 2000 | 300 |\n")
        .endsWith("## Kubelet\n\n| x |\n");
  }
}
