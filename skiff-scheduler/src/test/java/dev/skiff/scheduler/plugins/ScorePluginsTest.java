package dev.skiff.scheduler.plugins;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.onNode;
import static dev.skiff.scheduler.testing.Objects.pod;
import static dev.skiff.scheduler.testing.Objects.taint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreScorePlugin;
import dev.skiff.scheduler.framework.ScorePlugin;
import dev.skiff.scheduler.testing.FakeHandle;
import io.fabric8.kubernetes.api.model.ContainerImageBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTermBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Normalized scores per node for the scoring plugins. */
class ScorePluginsTest {
  record Case(
      String name,
      Function<FakeHandle, ScorePlugin> plugin,
      Pod pod,
      List<Node> nodes,
      List<Pod> existing,
      long[] expected) {}

  static final long MI = 1024L * 1024;

  static Node preferNoSchedule(String name, int taints) {
    var b = node(name, "4", "8Gi").editSpec();
    for (int i = 0; i < taints; i++) {
      b.addToTaints(taint("t" + i, "v", "PreferNoSchedule"));
    }
    return b.endSpec().build();
  }

  static Pod preferring(int weightSsd, int weightZoneA) {
    return pod("p", null, null)
        .editSpec()
        .withNewAffinity()
        .withNewNodeAffinity()
        .withPreferredDuringSchedulingIgnoredDuringExecution(
            new PreferredSchedulingTermBuilder()
                .withWeight(weightSsd)
                .withNewPreference()
                .withMatchExpressions(
                    new NodeSelectorRequirementBuilder()
                        .withKey("disk")
                        .withOperator("In")
                        .withValues("ssd")
                        .build())
                .endPreference()
                .build(),
            new PreferredSchedulingTermBuilder()
                .withWeight(weightZoneA)
                .withNewPreference()
                .withMatchExpressions(
                    new NodeSelectorRequirementBuilder()
                        .withKey("zone")
                        .withOperator("In")
                        .withValues("a")
                        .build())
                .endPreference()
                .build())
        .endNodeAffinity()
        .endAffinity()
        .endSpec()
        .build();
  }

  static Node labelled(String name, Map<String, String> labels) {
    return node(name, "4", "8Gi").editMetadata().addToLabels(labels).endMetadata().build();
  }

  static Node withImage(String name, String image, long size) {
    return node(name, "4", "8Gi")
        .editStatus()
        .withImages(new ContainerImageBuilder().withNames(image).withSizeBytes(size).build())
        .endStatus()
        .build();
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "LeastAllocated favors the emptier node",
            h -> NodeResourcesFit.defaults(),
            pod("p", "1", "1Gi").build(),
            List.of(node("a", "4", "8Gi").build(), node("b", "4", "8Gi").build()),
            List.of(onNode(pod("e", "2", "4Gi").build(), "b")),
            // a: cpu (4000-1000)*100/4000=75, mem (8-1)/8=87 -> 81; b: cpu 25, mem 37 -> 31
            new long[] {81, 31}),
        new Case(
            "MostAllocated favors the fuller node",
            h ->
                new NodeResourcesFit(
                    java.util.Set.of(),
                    java.util.Set.of(),
                    NodeResourcesFit.StrategyType.MostAllocated,
                    NodeResourcesFit.orderedWeights("cpu", 1L, "memory", 1L),
                    List.of()),
            pod("p", "1", "1Gi").build(),
            List.of(node("a", "4", "8Gi").build(), node("b", "4", "8Gi").build()),
            List.of(onNode(pod("e", "2", "4Gi").build(), "b")),
            new long[] {18, 68}),
        new Case(
            "RequestedToCapacityRatio follows the shape",
            h ->
                new NodeResourcesFit(
                    java.util.Set.of(),
                    java.util.Set.of(),
                    NodeResourcesFit.StrategyType.RequestedToCapacityRatio,
                    NodeResourcesFit.orderedWeights("cpu", 1L, "memory", 1L),
                    List.of(
                        new NodeResourcesFit.ShapePoint(0, 0),
                        new NodeResourcesFit.ShapePoint(100, 10))),
            pod("p", "1", "2Gi").build(),
            List.of(node("a", "4", "8Gi").build()),
            List.of(),
            // cpu 25% -> 25, memory 25% -> 25
            new long[] {25}),
        new Case(
            "pods without requests count defaults when spreading",
            h -> NodeResourcesFit.defaults(),
            pod("p", null, null).build(),
            List.of(node("a", "1", "1Gi").build()),
            List.of(),
            // cpu (1000-100)/1000=90, memory (1024-200)/1024=80 -> 85
            new long[] {85}),
        new Case(
            "BalancedAllocation prefers equal fractions",
            h -> NodeResourcesBalancedAllocation.defaults(),
            pod("p", "1", "1Gi").build(),
            List.of(node("a", "4", "4Gi").build(), node("b", "4", "16Gi").build()),
            List.of(),
            // a: 0.25/0.25 -> 100; b: 0.25/0.0625 -> std 0.09375 -> 90
            new long[] {100, 90}),
        new Case(
            "TaintToleration prefers fewer PreferNoSchedule taints",
            h -> new TaintToleration(),
            pod("p"),
            List.of(preferNoSchedule("a", 0), preferNoSchedule("b", 1), preferNoSchedule("c", 2)),
            List.of(),
            new long[] {100, 50, 0}),
        new Case(
            "NodeAffinity sums preferred weights",
            h -> new NodeAffinity(null),
            preferring(8, 2),
            List.of(
                labelled("a", Map.of("disk", "ssd", "zone", "a")),
                labelled("b", Map.of("disk", "ssd")),
                labelled("c", Map.of("zone", "a")),
                labelled("d", Map.of())),
            List.of(),
            new long[] {100, 80, 20, 0}),
        new Case(
            "ImageLocality favors nodes holding large images",
            ImageLocality::new,
            pod("p", null, null)
                .editSpec()
                .editFirstContainer()
                .withImage("registry/app:1")
                .endContainer()
                .endSpec()
                .build(),
            List.of(withImage("a", "registry/app:1", 500 * MI), node("b", "4", "8Gi").build()),
            List.of(),
            // 500MB * 1/2 nodes = 250MB; (250-23)*100/(1000-23) = 23
            new long[] {23, 0}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void scores(Case c) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (Node n : c.nodes()) {
      List<PodInfo> pods = new ArrayList<>();
      for (Pod e : c.existing()) {
        if (n.getMetadata().getName().equals(e.getSpec().getNodeName())) {
          pods.add(PodInfo.of(e));
        }
      }
      nodes.add(NodeInfo.of(n, pods.toArray(PodInfo[]::new)));
    }
    FakeHandle handle = new FakeHandle(nodes);
    ScorePlugin plugin = c.plugin().apply(handle);
    PodInfo pod = PodInfo.of(c.pod());
    CycleState state = new CycleState();
    if (plugin instanceof PreScorePlugin pre) {
      assertThat(pre.preScore(state, pod, nodes).isSuccess()).isTrue();
    }
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      scores[i] = plugin.score(state, pod, nodes.get(i));
    }
    plugin.normalizeScores(state, pod, nodes, scores);
    assertThat(scores).containsExactly(c.expected());
  }
}
