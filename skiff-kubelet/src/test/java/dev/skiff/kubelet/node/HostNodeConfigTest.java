package dev.skiff.kubelet.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostNodeConfigTest {

  @Test
  void allocatableSubtractsReservationsAndTheMemoryEvictionThreshold() {
    Map<String, Quantity> capacity =
        Map.of(
            "cpu", new Quantity("4"),
            "memory", new Quantity("8Gi"),
            "pods", new Quantity("110"));
    Map<String, Quantity> allocatable =
        HostNodeConfig.allocatable(
            capacity,
            Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")),
            Map.of("cpu", new Quantity("400m")));

    assertThat(allocatable.get("cpu")).isEqualTo(new Quantity("3500m"));
    // 8Gi - 256Mi - 100Mi = 8,388,608Ki - 262,144Ki - 102,400Ki
    assertThat(allocatable.get("memory")).isEqualTo(new Quantity("8024064Ki"));
    assertThat(allocatable.get("pods")).isEqualTo(new Quantity("110"));
  }

  @Test
  void allocatableNeverGoesNegative() {
    Map<String, Quantity> allocatable =
        HostNodeConfig.allocatable(
            Map.of("cpu", new Quantity("1")), Map.of("cpu", new Quantity("2")), Map.of());
    assertThat(allocatable.get("cpu").getNumericalAmount()).isZero();
  }

  @Test
  void readsTheHostIntoANodeConfig(@TempDir Path dataDir) {
    NodeConfig config =
        HostNodeConfig.read(
            new HostNodeConfig.Options(
                "node-a",
                "10.1.2.3",
                Map.of("tier", "edge"),
                List.of(new Taint("NoSchedule", "dedicated", null, "gpu")),
                dataDir,
                42,
                Map.of(),
                Map.of(),
                "containerd://1.6.20",
                "v1.32.0-skiff.1",
                10250,
                true));

    assertThat(config.labels())
        .containsEntry("kubernetes.io/hostname", "node-a")
        .containsEntry("kubernetes.io/os", "linux")
        .containsEntry(HostNodeConfig.CONTROL_PLANE_LABEL, "true")
        .containsEntry("tier", "edge");
    assertThat(config.internalIp()).isEqualTo("10.1.2.3");
    assertThat(config.capacity().get("pods")).isEqualTo(new Quantity("42"));
    assertThat(config.capacity().get("cpu").getNumericalAmount().intValue())
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.capacity().get("memory").getNumericalAmount().signum()).isPositive();
    assertThat(config.capacity().get("ephemeral-storage").getNumericalAmount().signum())
        .isPositive();
    assertThat(config.nodeInfo().getContainerRuntimeVersion()).isEqualTo("containerd://1.6.20");
    assertThat(config.nodeInfo().getKernelVersion()).isNotBlank();
    assertThat(config.taints()).hasSize(1);
  }

  @Test
  void osImageIsThePrettyName(@TempDir Path dir) throws Exception {
    Path osRelease = dir.resolve("os-release");
    Files.writeString(
        osRelease, "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n");
    assertThat(HostNodeConfig.osImage(osRelease)).isEqualTo("Debian GNU/Linux 12 (bookworm)");
  }
}
