package dev.skiff.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.node.NodeConfig;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimNodeTest {

  @Test
  void nodeConfigCarriesKubeletLabelsZonesAndResources() {
    SimNodeOptions options =
        SimNodeOptions.of(4)
            .withResources(new Quantity("8"), new Quantity("16Gi"), 50)
            .withLabels(Map.of("pool", "a"))
            .withTaints(List.of(new Taint("NoSchedule", "dedicated", null, "sim")))
            .withZones(List.of("z1", "z2", "z3"));

    NodeConfig config = SimNode.config(options, 4);

    assertThat(config.name()).isEqualTo("sim-4");
    assertThat(config.labels())
        .containsEntry("kubernetes.io/hostname", "sim-4")
        .containsEntry("kubernetes.io/os", "linux")
        .containsEntry("kubernetes.io/arch", "amd64")
        .containsEntry("type", "sim")
        .containsEntry("pool", "a")
        .containsEntry("topology.kubernetes.io/zone", "z2");
    assertThat(config.capacity().get("cpu")).isEqualTo(new Quantity("8"));
    assertThat(config.allocatable().get("pods")).isEqualTo(new Quantity("50"));
    assertThat(config.taints()).extracting(Taint::getKey).containsExactly("dedicated");
    assertThat(config.internalIp()).isEqualTo("172.16.0.5");
    assertThat(config.nodeInfo().getKubeletVersion()).isEqualTo("v1.32.0");
  }

  @Test
  void nodeIpsAreDistinctAcrossAFleet() {
    assertThat(SimNode.nodeIp(0)).isEqualTo("172.16.0.1");
    assertThat(SimNode.nodeIp(255)).isEqualTo("172.16.1.0");
    assertThat(SimNode.nodeIp(70_000)).isEqualTo("172.17.17.113");
  }

  @Test
  void ipRangeHandsOutLowestFreeAddressAndStopsWhenFull() {
    PodIpRange range = new PodIpRange("10.244.7.0/30");

    assertThat(range.allocate("a")).isEqualTo("10.244.7.1");
    assertThat(range.allocate("a")).isEqualTo("10.244.7.1");
    assertThat(range.allocate("b")).isEqualTo("10.244.7.2");
    assertThat(range.allocate("c")).isNull();
    range.release("a");
    assertThat(range.allocate("c")).isEqualTo("10.244.7.1");
    assertThat(PodIpRange.defaultCidrFor(300)).isEqualTo("10.129.44.0/24");
    assertThatThrownBy(() -> new PodIpRange("10.0.0.0/31")).hasMessageContaining("prefix");
  }

  @Test
  void assignedPodCidrIsUsedForNewPods() {
    SimNode node = new SimNode(0, SimNode.config(SimNodeOptions.of(1), 0));
    node.useAssignedCidr("10.244.9.0/24");

    assertThat(node.podIps().allocate("p")).isEqualTo("10.244.9.1");
  }
}
