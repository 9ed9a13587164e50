package dev.skiff.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Taint;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimNodeFlagsTest {

  @Test
  void parsesLabels() {
    assertThat(SimNodeFlags.labels(List.of("pool=a", "tier=web")))
        .containsEntry("pool", "a")
        .containsEntry("tier", "web");
    assertThatThrownBy(() -> SimNodeFlags.labels(List.of("novalue")))
        .hasMessage("--labels: \"novalue\" is not of the form key=value");
  }

  @Test
  void parsesTaintsWithAndWithoutValue() {
    List<Taint> taints =
        SimNodeFlags.taints(List.of("dedicated=sim:NoSchedule", "example.com/gpu:NoExecute"));

    assertThat(taints)
        .extracting(Taint::getKey, Taint::getValue, Taint::getEffect)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("dedicated", "sim", "NoSchedule"),
            org.assertj.core.groups.Tuple.tuple("example.com/gpu", null, "NoExecute"));
    assertThatThrownBy(() -> SimNodeFlags.taints(List.of("a=b:Sometimes")))
        .hasMessageContaining("must be NoSchedule, PreferNoSchedule or NoExecute");
    assertThatThrownBy(() -> SimNodeFlags.taints(List.of("a=b")))
        .hasMessageContaining("key=value:Effect");
  }

  @Test
  void parsesGoDurations() {
    assertThat(SimNodeFlags.duration("--kill-after", "90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(SimNodeFlags.duration("--kill-after", "1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(SimNodeFlags.duration("--kill-after", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(SimNodeFlags.duration("--kill-after", "1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> SimNodeFlags.duration("--kill-after", "10 minutes"))
        .hasMessage("--kill-after: \"10 minutes\" is not a duration such as 90s, 10m or 1h30m");
  }
}
