package dev.skiff.bench.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeBenchMathTest {

  @Test
  void nearestRankPercentilesOfOneHundredSamples() {
    List<Long> nanos = new ArrayList<>();
    for (long ms = 100; ms >= 1; ms--) {
      nanos.add(ms * 1_000_000);
    }
    NodeBenchMath.Summary summary = NodeBenchMath.summarize(nanos);
    assertThat(summary.count()).isEqualTo(100);
    assertThat(summary.p50()).isEqualTo(50.0);
    assertThat(summary.p99()).isEqualTo(99.0);
    assertThat(summary.max()).isEqualTo(100.0);
  }

  @Test
  void singleSampleIsEveryPercentileAndEmptyIsZero() {
    assertThat(NodeBenchMath.summarize(List.of(2_500_000L)))
        .isEqualTo(new NodeBenchMath.Summary(1, 2.5, 2.5, 2.5));
    assertThat(NodeBenchMath.summarize(List.of())).isEqualTo(NodeBenchMath.Summary.EMPTY);
    assertThatThrownBy(() -> NodeBenchMath.rank(new long[0], 50))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ratioAgainstBaseline() {
    assertThat(NodeBenchMath.ratio(300, 100)).isEqualTo(3.0);
    assertThat(NodeBenchMath.ratio(300, 0)).isNaN();
  }

  @Test
  void parsesVmRssFromProcStatus() {
    String status =
        "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 4000000 kB\n"
            + "VmHWM:\t  210000 kB\nVmRSS:\t  123456 kB\nRssAnon:\t  100000 kB\nThreads:\t42\n";
    assertThat(NodeBenchMath.vmRssKilobytes(status)).isEqualTo(123456);
    assertThat(NodeBenchMath.vmRssKilobytes("Name:\tkthreadd\nThreads:\t1\n")).isEqualTo(-1);
  }

  @Test
  void parsesLoadAverage() {
    assertThat(NodeBenchMath.loadAverage1("12.71 10.02 9.50 3/812 4242\n")).isEqualTo(12.71);
  }
}
