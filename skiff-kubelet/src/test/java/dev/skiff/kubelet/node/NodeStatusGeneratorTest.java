package dev.skiff.kubelet.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStatusGeneratorTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void healthyNodeReportsTheKubeletsFourConditionsInOrder() {
    NodeStatus status =
        NodeStatusGenerator.generate(NodeFixtures.config("n1"), NodeHealth.HEALTHY, List.of(), T0);

    assertThat(status.getConditions())
        .extracting(NodeCondition::getType, NodeCondition::getStatus, NodeCondition::getReason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "MemoryPressure", "False", "KubeletHasSufficientMemory"),
            org.assertj.core.groups.Tuple.tuple(
                "DiskPressure", "False", "KubeletHasNoDiskPressure"),
            org.assertj.core.groups.Tuple.tuple("PIDPressure", "False", "KubeletHasSufficientPID"),
            org.assertj.core.groups.Tuple.tuple("Ready", "True", "KubeletReady"));
    assertThat(status.getConditions().get(3).getMessage())
        .isEqualTo("kubelet is posting ready status");
    assertThat(status.getConditions())
        .allSatisfy(
            c -> {
              assertThat(c.getLastHeartbeatTime()).isEqualTo("2026-11-25T10:00:00Z");
              assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
            });
    assertThat(status.getCapacity()).containsKeys("cpu", "memory", "pods");
    assertThat(status.getAllocatable().get("pods").toString()).isEqualTo("110");
    assertThat(status.getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10250);
    assertThat(status.getAddresses()).extracting("type").containsExactly("InternalIP", "Hostname");
  }

  @Test
  void transitionTimeStaysWhileStatusHoldsAndMovesWhenItFlips() {
    NodeConfig config = NodeFixtures.config("n1");
    NodeStatus first = NodeStatusGenerator.generate(config, NodeHealth.HEALTHY, List.of(), T0);
    Instant later = T0.plusSeconds(70);

    NodeStatus same =
        NodeStatusGenerator.generate(config, NodeHealth.HEALTHY, first.getConditions(), later);
    NodeStatus notReady =
        NodeStatusGenerator.generate(
            config, NodeHealth.notReady("container runtime is down"), first.getConditions(), later);

    NodeCondition sameReady = same.getConditions().get(3);
    assertThat(sameReady.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(sameReady.getLastHeartbeatTime()).isEqualTo("2026-11-25T10:01:10Z");
    NodeCondition flipped = notReady.getConditions().get(3);
    assertThat(flipped.getStatus()).isEqualTo("False");
    assertThat(flipped.getReason()).isEqualTo("KubeletNotReady");
    assertThat(flipped.getMessage()).isEqualTo("container runtime is down");
    assertThat(flipped.getLastTransitionTime()).isEqualTo("2026-11-25T10:01:10Z");
  }

  @Test
  void changedIgnoresHeartbeatTimesOnly() {
    NodeConfig config = NodeFixtures.config("n1");
    NodeStatus first = NodeStatusGenerator.generate(config, NodeHealth.HEALTHY, List.of(), T0);
    NodeStatus later =
        NodeStatusGenerator.generate(
            config, NodeHealth.HEALTHY, first.getConditions(), T0.plusSeconds(10));
    NodeStatus pressure =
        NodeStatusGenerator.generate(
            config,
            new NodeHealth(true, null, true, false, false),
            first.getConditions(),
            T0.plusSeconds(10));

    assertThat(NodeStatusGenerator.changed(first, later)).isFalse();
    assertThat(NodeStatusGenerator.changed(first, pressure)).isTrue();
    assertThat(NodeStatusGenerator.changed(null, first)).isTrue();
    assertThat(pressure.getConditions().get(0).getReason())
        .isEqualTo("KubeletHasInsufficientMemory");
  }

  @Test
  void registrationCarriesLabelsTaintsAndStatus() {
    Node node = NodeStatusGenerator.registration(NodeFixtures.config("n1"), NodeHealth.HEALTHY, T0);

    assertThat(node.getMetadata().getName()).isEqualTo("n1");
    assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "n1");
    assertThat(node.getSpec().getTaints()).isNull();
    assertThat(node.getStatus().getConditions()).hasSize(4);
    assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.32.0");
  }
}
