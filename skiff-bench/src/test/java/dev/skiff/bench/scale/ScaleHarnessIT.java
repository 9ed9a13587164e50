package dev.skiff.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A small run of the harness end to end, with no timing asserted: in-process API server and
 * scheduler, simulated nodes, pods created, bindings watched, a row written.
 */
class ScaleHarnessIT {

  @Test
  void smokeRunBindsEveryPodAndWritesItsRow(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("benchmarks.md");
    String[] args = {
      "--workload", "SchedulingPodTopologySpread",
      "--nodes", "12",
      "--pods", "60",
      "--timeout", "2m",
      "--output", doc.toString()
    };

    int code = new CommandLine(new ScaleHarness(List.of(args))).execute(args);

    assertThat(code).isZero();
    String text = Files.readString(doc);
    assertThat(text).contains(BenchmarksDoc.SECTION);
    assertThat(text).contains("| SchedulingPodTopologySpread | 12 | 60 |");
    assertThat(text).contains("ScaleHarness --workload SchedulingPodTopologySpread --nodes 12");
  }
}
