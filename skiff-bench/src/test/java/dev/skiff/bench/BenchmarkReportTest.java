package dev.skiff.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchmarkReportTest {
  @Test
  void appendsANewSectionAndReplacesItLater() {
    String first = BenchmarkReport.replaceSection("# Benchmarks\n\n", "api", "| a | 1 |");
    assertThat(first)
        .isEqualTo("# Benchmarks\n\n<!-- BEGIN api -->\n| a | 1 |\n<!-- END api -->\n");
    String withOther = BenchmarkReport.replaceSection(first, "scale", "x");
    String replaced = BenchmarkReport.replaceSection(withOther, "api", "| a | 2 |");
    assertThat(replaced)
        .contains("<!-- BEGIN api -->\n| a | 2 |\n<!-- END api -->")
        .contains("<!-- BEGIN scale -->\nx\n<!-- END scale -->")
        .doesNotContain("| a | 1 |");
  }

  @Test
  void percentilesOfRecordedLatencies() {
    Latencies latencies = new Latencies();
    for (int i = 1; i <= 100; i++) {
      latencies.record(i * 1_000_000L);
    }
    assertThat(latencies.count()).isEqualTo(100);
    assertThat(latencies.percentileMillis(50)).isEqualTo(50.0);
    assertThat(latencies.percentileMillis(99)).isEqualTo(99.0);
    assertThat(latencies.percentileMillis(100)).isEqualTo(100.0);
  }
}
