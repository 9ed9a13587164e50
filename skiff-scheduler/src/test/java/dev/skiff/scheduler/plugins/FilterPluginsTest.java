package dev.skiff.scheduler.plugins;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.onNode;
import static dev.skiff.scheduler.testing.Objects.pod;
import static dev.skiff.scheduler.testing.Objects.taint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.Resource;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Filter outcomes of the node-local plugins on constructed nodes and pods. */
class FilterPluginsTest {
  record Case(
      String name,
      FilterPlugin plugin,
      Pod pod,
      Node node,
      List<Pod> existing,
      PluginStatus.Code code,
      List<String> reasons) {}

  static Case ok(String name, FilterPlugin plugin, Pod pod, Node node, Pod... existing) {
    return new Case(
        name, plugin, pod, node, List.of(existing), PluginStatus.Code.SUCCESS, List.of());
  }

  static Case rejected(
      String name,
      FilterPlugin plugin,
      Pod pod,
      Node node,
      PluginStatus.Code code,
      List<String> reasons,
      Pod... existing) {
    return new Case(name, plugin, pod, node, List.of(existing), code, reasons);
  }

  static Toleration toleration(String key, String operator, String value, String effect) {
    return new TolerationBuilder()
        .withKey(key)
        .withOperator(operator)
        .withValue(value)
        .withEffect(effect)
        .build();
  }

  static Pod tolerating(Toleration... t) {
    return pod("p", null, null).editSpec().withTolerations(t).endSpec().build();
  }

  static Node tainted(String key, String value, String effect) {
    return node("n", "4", "8Gi").editSpec().withTaints(taint(key, value, effect)).endSpec().build();
  }

  static Pod withHostPort(String name, int port, String ip) {
    return pod(name, null, null)
        .editSpec()
        .withContainers(
            new ContainerBuilder()
                .withName("c")
                .withPorts(
                    new ContainerPortBuilder()
                        .withContainerPort(80)
                        .withHostPort(port)
                        .withHostIP(ip)
                        .build())
                .build())
        .endSpec()
        .build();
  }

  static Pod withGpu(String name, String count) {
    return pod(name, null, null)
        .editSpec()
        .withContainers(
            new ContainerBuilder()
                .withName("c")
                .withNewResources()
                .withRequests(Map.of("example.com/gpu", new Quantity(count)))
                .endResources()
                .build())
        .endSpec()
        .build();
  }

  static Node gpuNode() {
    return node("n", "4", "8Gi")
        .editStatus()
        .addToAllocatable("example.com/gpu", new Quantity("2"))
        .endStatus()
        .build();
  }

  static Pod nodeAffinity(String key, String operator, String... values) {
    return pod("p", null, null)
        .editSpec()
        .withNewAffinity()
        .withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .addNewNodeSelectorTerm()
        .withMatchExpressions(
            new NodeSelectorRequirementBuilder()
                .withKey(key)
                .withOperator(operator)
                .withValues(values)
                .build())
        .endNodeSelectorTerm()
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endNodeAffinity()
        .endAffinity()
        .endSpec()
        .build();
  }

  static Node labelled(String key, String value) {
    return node("n", "4", "8Gi").editMetadata().addToLabels(key, value).endMetadata().build();
  }

  static final PluginStatus.Code OK = PluginStatus.Code.SUCCESS;
  static final PluginStatus.Code NO = PluginStatus.Code.UNSCHEDULABLE;
  static final PluginStatus.Code NEVER = PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE;

  static Stream<Case> cases() {
    NodeResourcesFit fit = NodeResourcesFit.defaults();
    TaintToleration taints = new TaintToleration();
    NodeAffinity affinity = new NodeAffinity(null);
    return Stream.of(
        ok(
            "fit: room left",
            fit,
            pod("p", "1", "1Gi").build(),
            node("n", "2", "2Gi").build(),
            onNode(pod("e", "1", "1Gi").build(), "n")),
        rejected(
            "fit: cpu used up",
            fit,
            pod("p", "1500m", "1Gi").build(),
            node("n", "2", "4Gi").build(),
            NO,
            List.of("Insufficient cpu"),
            onNode(pod("e", "1", "1Gi").build(), "n")),
        rejected(
            "fit: cpu and memory",
            fit,
            pod("p", "1500m", "3Gi").build(),
            node("n", "2", "4Gi").build(),
            NO,
            List.of("Insufficient cpu", "Insufficient memory"),
            onNode(pod("e", "1", "2Gi").build(), "n")),
        rejected(
            "fit: more than the node has is unresolvable",
            fit,
            pod("p", "3", "1Gi").build(),
            node("n", "2", "4Gi").build(),
            NEVER,
            List.of("Insufficient cpu")),
        rejected(
            "fit: too many pods",
            fit,
            pod("p").toBuilder().build(),
            node("n", "2", "4Gi")
                .editStatus()
                .addToAllocatable("pods", new Quantity("1"))
                .endStatus()
                .build(),
            NO,
            List.of("Too many pods"),
            onNode(pod("e"), "n")),
        ok("fit: extended resource available", fit, withGpu("p", "2"), gpuNode()),
        rejected(
            "fit: extended resource used",
            fit,
            withGpu("p", "1"),
            gpuNode(),
            NO,
            List.of("Insufficient example.com/gpu"),
            onNode(withGpu("e", "2"), "n")),
        ok(
            "fit: ignored resource group",
            new NodeResourcesFit(
                Set.of(),
                Set.of("example.com"),
                NodeResourcesFit.StrategyType.LeastAllocated,
                Map.of("cpu", 1L),
                List.of()),
            withGpu("p", "5"),
            gpuNode()),
        ok("taints: none", taints, pod("p"), node("n")),
        rejected(
            "taints: untolerated NoSchedule",
            taints,
            pod("p"),
            tainted("dedicated", "gpu", "NoSchedule"),
            NEVER,
            List.of("node(s) had untolerated taint {dedicated: gpu}")),
        ok(
            "taints: PreferNoSchedule does not filter",
            taints,
            pod("p"),
            tainted("dedicated", "gpu", "PreferNoSchedule")),
        ok(
            "taints: Equal toleration",
            taints,
            tolerating(toleration("dedicated", "Equal", "gpu", "NoSchedule")),
            tainted("dedicated", "gpu", "NoSchedule")),
        rejected(
            "taints: wrong value",
            taints,
            tolerating(toleration("dedicated", "Equal", "cpu", "NoSchedule")),
            tainted("dedicated", "gpu", "NoExecute"),
            NEVER,
            List.of("node(s) had untolerated taint {dedicated: gpu}")),
        ok(
            "taints: Exists without key tolerates all",
            taints,
            tolerating(toleration(null, "Exists", null, null)),
            tainted("dedicated", "gpu", "NoExecute")),
        rejected(
            "taints: effect must match",
            taints,
            tolerating(toleration("dedicated", "Exists", null, "NoSchedule")),
            tainted("dedicated", "gpu", "NoExecute"),
            NEVER,
            List.of("node(s) had untolerated taint {dedicated: gpu}")),
        rejected(
            "unschedulable node",
            new NodeUnschedulable(),
            pod("p"),
            node("n", "1", "1Gi").editSpec().withUnschedulable(true).endSpec().build(),
            NEVER,
            List.of("node(s) were unschedulable")),
        ok(
            "unschedulable node tolerated",
            new NodeUnschedulable(),
            tolerating(
                toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule")),
            node("n", "1", "1Gi").editSpec().withUnschedulable(true).endSpec().build()),
        rejected(
            "node name mismatch",
            new NodeName(),
            new PodBuilder(pod("p")).editSpec().withNodeName("other").endSpec().build(),
            node("n"),
            NEVER,
            List.of("node(s) didn't match the requested node name")),
        rejected(
            "host port taken",
            new NodePorts(),
            withHostPort("p", 8080, null),
            node("n"),
            NO,
            List.of("node(s) didn't have free ports for the requested pod ports"),
            onNode(withHostPort("e", 8080, "10.0.0.1"), "n")),
        ok(
            "host port on another ip",
            new NodePorts(),
            withHostPort("p", 8080, "10.0.0.2"),
            node("n"),
            onNode(withHostPort("e", 8080, "10.0.0.1"), "n")),
        ok(
            "node selector matches",
            affinity,
            new PodBuilder(pod("p"))
                .editSpec()
                .withNodeSelector(Map.of("disk", "ssd"))
                .endSpec()
                .build(),
            labelled("disk", "ssd")),
        rejected(
            "node selector misses",
            affinity,
            new PodBuilder(pod("p"))
                .editSpec()
                .withNodeSelector(Map.of("disk", "ssd"))
                .endSpec()
                .build(),
            labelled("disk", "hdd"),
            NEVER,
            List.of("node(s) didn't match Pod's node affinity/selector")),
        ok(
            "affinity NotIn on a missing label",
            affinity,
            nodeAffinity("disk", "NotIn", "hdd"),
            node("n")),
        ok("affinity Gt", affinity, nodeAffinity("cores", "Gt", "8"), labelled("cores", "16")),
        rejected(
            "affinity Lt",
            affinity,
            nodeAffinity("cores", "Lt", "8"),
            labelled("cores", "16"),
            NEVER,
            List.of("node(s) didn't match Pod's node affinity/selector")),
        rejected(
            "affinity DoesNotExist",
            affinity,
            nodeAffinity("gpu", "DoesNotExist"),
            labelled("gpu", "yes"),
            NEVER,
            List.of("node(s) didn't match Pod's node affinity/selector")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void filter(Case c) {
    PodInfo[] existing = c.existing().stream().map(PodInfo::of).toArray(PodInfo[]::new);
    NodeInfo node = NodeInfo.of(c.node(), existing);
    PodInfo pod = PodInfo.of(c.pod());
    CycleState state = new CycleState();
    if (c.plugin() instanceof PreFilterPlugin pre) {
      PluginStatus s = pre.preFilter(state, pod, List.of(node)).status();
      if (s.isSkip()) {
        assertThat(c.code()).isEqualTo(OK);
        return;
      }
    }
    PluginStatus status = c.plugin().filter(state, pod, node);
    assertThat(status.code()).isEqualTo(c.code());
    assertThat(status.reasons()).isEqualTo(c.reasons());
  }

  @org.junit.jupiter.api.Test
  void nodeInfoAggregatesAndReleasesPods() {
    PodInfo a = PodInfo.of(onNode(withHostPort("a", 80, null), "n"));
    PodInfo b = PodInfo.of(onNode(pod("b", "500m", "1Gi").build(), "n"));
    NodeInfo n = NodeInfo.of(node("n"), a, b);
    assertThat(n.requested().milliCpu).isEqualTo(500);
    assertThat(n.nonZeroRequested().milliCpu).isEqualTo(600);
    assertThat(n.usedPorts()).hasSize(1);
    assertThat(n.removePod(a)).isTrue();
    assertThat(n.usedPorts()).isEmpty();
    assertThat(n.nonZeroRequested().milliCpu).isEqualTo(500);
    assertThat(n.allocatable().get(Resource.PODS)).isEqualTo(110);
  }
}
