package dev.skiff.scheduler.plugins;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.onNode;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.framework.CycleState;
import dev.skiff.scheduler.framework.FilterPlugin;
import dev.skiff.scheduler.framework.NodeInfo;
import dev.skiff.scheduler.framework.PluginStatus;
import dev.skiff.scheduler.framework.PodInfo;
import dev.skiff.scheduler.framework.PreFilterPlugin;
import dev.skiff.scheduler.framework.PreScorePlugin;
import dev.skiff.scheduler.framework.ScorePlugin;
import dev.skiff.scheduler.testing.FakeHandle;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAffinityTermBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** InterPodAffinity and PodTopologySpread over small clusters: which nodes pass the filter. */
class PodAffinityAndSpreadTest {
  static final String ZONE = "topology.kubernetes.io/zone";
  static final String HOST = "kubernetes.io/hostname";

  /** Six nodes: z1 {n1, n2}, z2 {n3, n4}, z3 {n5, n6}. */
  static List<Node> sixNodesInThreeZones() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      nodes.add(
          node("n" + i, "8", "16Gi")
              .editMetadata()
              .addToLabels(ZONE, "z" + ((i + 1) / 2))
              .endMetadata()
              .build());
    }
    return nodes;
  }

  static Pod app(String name, String app) {
    return pod(name, null, null).editMetadata().addToLabels("app", app).endMetadata().build();
  }

  static PodAffinityTerm term(String app, String key) {
    return new PodAffinityTermBuilder()
        .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build())
        .withTopologyKey(key)
        .build();
  }

  static Pod antiAffinity(String name, String app, String key) {
    return new PodBuilder(app(name, app))
        .editSpec()
        .withNewAffinity()
        .withNewPodAntiAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(app, key))
        .endPodAntiAffinity()
        .endAffinity()
        .endSpec()
        .build();
  }

  static Pod affinity(String name, String app, String targetApp, String key) {
    return new PodBuilder(app(name, app))
        .editSpec()
        .withNewAffinity()
        .withNewPodAffinity()
        .withRequiredDuringSchedulingIgnoredDuringExecution(term(targetApp, key))
        .endPodAffinity()
        .endAffinity()
        .endSpec()
        .build();
  }

  static Pod spread(String name, String app, int maxSkew, String key, Integer minDomains) {
    return new PodBuilder(app(name, app))
        .editSpec()
        .withTopologySpreadConstraints(
            new TopologySpreadConstraintBuilder()
                .withMaxSkew(maxSkew)
                .withTopologyKey(key)
                .withWhenUnsatisfiable("DoNotSchedule")
                .withMinDomains(minDomains)
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", app).build())
                .build())
        .endSpec()
        .build();
  }

  record Case(
      String name,
      Function<FakeHandle, FilterPlugin> plugin,
      Pod pod,
      List<Pod> existing,
      Map<String, PluginStatus.Code> expected) {}

  static Map<String, PluginStatus.Code> expect(String... nodeAndCode) {
    Map<String, PluginStatus.Code> m = new LinkedHashMap<>();
    for (String s : nodeAndCode) {
      String[] parts = s.split("=");
      m.put(
          parts[0],
          switch (parts[1]) {
            case "ok" -> PluginStatus.Code.SUCCESS;
            case "no" -> PluginStatus.Code.UNSCHEDULABLE;
            default -> PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
          });
    }
    return m;
  }

  static Stream<Case> cases() {
    Function<FakeHandle, FilterPlugin> ipa = h -> new InterPodAffinity(h, 1, false);
    Function<FakeHandle, FilterPlugin> pts =
        h -> new PodTopologySpread(h, PodTopologySpread.SYSTEM_DEFAULT_CONSTRAINTS, true);
    return Stream.of(
        new Case(
            "required anti-affinity per host keeps replicas apart",
            ipa,
            antiAffinity("web-3", "web", HOST),
            List.of(onNode(app("web-1", "web"), "n1"), onNode(app("web-2", "web"), "n4")),
            expect("n1=no", "n2=ok", "n3=ok", "n4=no", "n5=ok", "n6=ok")),
        new Case(
            "required anti-affinity per zone",
            ipa,
            antiAffinity("web-2", "web", ZONE),
            List.of(onNode(app("web-1", "web"), "n1")),
            expect("n1=no", "n2=no", "n3=ok", "n4=ok", "n5=ok", "n6=ok")),
        new Case(
            "existing pods' anti-affinity repels the incoming pod",
            ipa,
            app("intruder", "web"),
            List.of(onNode(antiAffinity("loner", "web", ZONE), "n3")),
            expect("n1=ok", "n2=ok", "n3=no", "n4=no", "n5=ok", "n6=ok")),
        new Case(
            "required affinity to a zone with a db",
            ipa,
            affinity("api", "api", "db", ZONE),
            List.of(onNode(app("db-0", "db"), "n6")),
            expect("n1=never", "n2=never", "n3=never", "n4=never", "n5=ok", "n6=ok")),
        new Case(
            "the first pod of a self-affine group may go anywhere",
            ipa,
            affinity("cache-0", "cache", "cache", ZONE),
            List.of(),
            expect("n1=ok", "n2=ok", "n3=ok", "n4=ok", "n5=ok", "n6=ok")),
        new Case(
            "affinity to something that does not exist",
            ipa,
            affinity("orphan", "orphan", "ghost", ZONE),
            List.of(),
            expect("n1=never", "n2=never", "n3=never", "n4=never", "n5=never", "n6=never")),
        new Case(
            "zone spread maxSkew 2 excludes only the fullest zone",
            pts,
            spread("w-4", "w", 2, ZONE, null),
            List.of(
                onNode(app("w-1", "w"), "n1"),
                onNode(app("w-2", "w"), "n2"),
                onNode(app("w-3", "w"), "n3")),
            expect("n1=no", "n2=no", "n3=ok", "n4=ok", "n5=ok", "n6=ok")),
        new Case(
            "zone spread: only the empty zone",
            pts,
            spread("w-4", "w", 1, ZONE, null),
            List.of(onNode(app("w-1", "w"), "n1"), onNode(app("w-2", "w"), "n3")),
            expect("n1=no", "n2=no", "n3=no", "n4=no", "n5=ok", "n6=ok")),
        new Case(
            "minDomains above the domain count makes the minimum 0",
            pts,
            spread("w-2", "w", 1, ZONE, 4),
            List.of(onNode(app("w-1", "w"), "n1")),
            expect("n1=no", "n2=no", "n3=ok", "n4=ok", "n5=ok", "n6=ok")),
        new Case(
            "other apps do not count",
            pts,
            spread("w-1", "w", 1, ZONE, null),
            List.of(onNode(app("x-1", "x"), "n1"), onNode(app("x-2", "x"), "n1")),
            expect("n1=ok", "n2=ok", "n3=ok", "n4=ok", "n5=ok", "n6=ok")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void filter(Case c) {
    List<NodeInfo> nodes = cluster(c.existing());
    FakeHandle handle = new FakeHandle(nodes);
    FilterPlugin plugin = c.plugin().apply(handle);
    PodInfo pod = PodInfo.of(c.pod());
    CycleState state = new CycleState();
    PluginStatus pre = ((PreFilterPlugin) plugin).preFilter(state, pod, nodes).status();
    Map<String, PluginStatus.Code> actual = new LinkedHashMap<>();
    for (NodeInfo n : nodes) {
      actual.put(
          n.name(), pre.isSkip() ? PluginStatus.Code.SUCCESS : plugin.filter(state, pod, n).code());
    }
    assertThat(actual).isEqualTo(c.expected());
  }

  static List<NodeInfo> cluster(List<Pod> existing) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (Node n : sixNodesInThreeZones()) {
      List<PodInfo> pods = new ArrayList<>();
      for (Pod e : existing) {
        if (n.getMetadata().getName().equals(e.getSpec().getNodeName())) {
          pods.add(PodInfo.of(e));
        }
      }
      nodes.add(NodeInfo.of(n, pods.toArray(PodInfo[]::new)));
    }
    return nodes;
  }

  @Test
  void inclusionPoliciesDecideWhichDomainsCount() {
    // z3 holds no pod: it is the minimum unless a policy leaves it out
    List<Pod> existing = List.of(onNode(app("w-1", "w"), "n1"), onNode(app("w-2", "w"), "n3"));
    Pod selectingZ1AndZ2 =
        new PodBuilder(spread("w-3", "w", 1, ZONE, null))
            .editSpec()
            .withNewAffinity()
            .withNewNodeAffinity()
            .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
            .addNewMatchExpression()
            .withKey(ZONE)
            .withOperator("In")
            .withValues("z1", "z2")
            .endMatchExpression()
            .endNodeSelectorTerm()
            .endRequiredDuringSchedulingIgnoredDuringExecution()
            .endNodeAffinity()
            .endAffinity()
            .endSpec()
            .build();
    assertThat(passing(selectingZ1AndZ2, existing))
        .as("nodeAffinityPolicy Honor")
        .contains("n1", "n3");

    Pod ignoringAffinity =
        new PodBuilder(selectingZ1AndZ2)
            .editSpec()
            .editFirstTopologySpreadConstraint()
            .withNodeAffinityPolicy("Ignore")
            .endTopologySpreadConstraint()
            .endSpec()
            .build();
    assertThat(passing(ignoringAffinity, existing))
        .as("nodeAffinityPolicy Ignore")
        .doesNotContain("n1", "n3");
  }

  /** Nodes passing the PodTopologySpread filter for {@code pod}. */
  static List<String> passing(Pod pod, List<Pod> existing) {
    List<NodeInfo> nodes = cluster(existing);
    FakeHandle handle = new FakeHandle(nodes);
    PodTopologySpread plugin = new PodTopologySpread(handle, List.of(), false);
    PodInfo info = PodInfo.of(pod);
    CycleState state = new CycleState();
    plugin.preFilter(state, info, nodes);
    return nodes.stream()
        .filter(n -> plugin.filter(state, info, n).isSuccess())
        .map(NodeInfo::name)
        .toList();
  }

  @Test
  void spreadMissingTopologyLabelIsUnresolvable() {
    NodeInfo unlabelled = NodeInfo.of(node("bare"));
    List<NodeInfo> nodes = new ArrayList<>(cluster(List.of()));
    nodes.add(unlabelled);
    FakeHandle handle = new FakeHandle(nodes);
    PodTopologySpread plugin = new PodTopologySpread(handle, List.of(), false);
    PodInfo pod = PodInfo.of(spread("w", "w", 1, ZONE, null));
    CycleState state = new CycleState();
    plugin.preFilter(state, pod, nodes);
    PluginStatus s = plugin.filter(state, pod, unlabelled);
    assertThat(s.code()).isEqualTo(PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(s.reasons())
        .containsExactly(
            "node(s) didn't match pod topology spread constraints (missing required label)");
  }

  @Test
  void preferredAntiAffinityScoresNodesAwayFromMatchingPods() {
    List<NodeInfo> nodes = cluster(List.of(onNode(app("web-1", "web"), "n1")));
    FakeHandle handle = new FakeHandle(nodes);
    InterPodAffinity plugin = new InterPodAffinity(handle, 1, false);
    Pod p =
        new PodBuilder(app("web-2", "web"))
            .editSpec()
            .withNewAffinity()
            .withNewPodAntiAffinity()
            .withPreferredDuringSchedulingIgnoredDuringExecution(
                new WeightedPodAffinityTermBuilder()
                    .withWeight(10)
                    .withPodAffinityTerm(term("web", ZONE))
                    .build())
            .endPodAntiAffinity()
            .endAffinity()
            .endSpec()
            .build();
    long[] scores = score(plugin, PodInfo.of(p), nodes);
    assertThat(scores).containsExactly(0, 0, 100, 100, 100, 100);
  }

  @Test
  void systemDefaultSpreadingScoresByZoneForPodsOfAService() {
    List<NodeInfo> nodes =
        cluster(
            List.of(
                onNode(app("w-1", "w"), "n1"),
                onNode(app("w-2", "w"), "n2"),
                onNode(app("w-3", "w"), "n3")));
    FakeHandle handle = new FakeHandle(nodes);
    var services =
        new dev.skiff.scheduler.framework.MapLister<io.fabric8.kubernetes.api.model.Service>();
    services.put(
        new io.fabric8.kubernetes.api.model.ServiceBuilder()
            .withNewMetadata()
            .withName("w")
            .withNamespace("default")
            .endMetadata()
            .withNewSpec()
            .withSelector(Map.of("app", "w"))
            .endSpec()
            .build());
    handle.listers =
        new dev.skiff.scheduler.framework.Listers(
            handle.listers.claims(),
            handle.listers.volumes(),
            handle.listers.storageClasses(),
            handle.listers.disruptionBudgets(),
            handle.listers.priorityClasses(),
            handle.listers.namespaces(),
            services,
            handle.listers.replicationControllers(),
            handle.listers.replicaSets(),
            handle.listers.statefulSets());
    PodTopologySpread plugin =
        new PodTopologySpread(handle, PodTopologySpread.SYSTEM_DEFAULT_CONSTRAINTS, true);
    long[] scores = score(plugin, PodInfo.of(app("w-4", "w")), nodes);
    // zone z3 (n5, n6) is emptiest, z1 fullest; within a zone the emptier host wins
    assertThat(scores[4]).isEqualTo(scores[5]).isGreaterThan(scores[3]);
    assertThat(scores[3]).isGreaterThan(scores[2]);
    assertThat(scores[2]).isGreaterThan(scores[0]);
    assertThat(scores[4]).isEqualTo(100);
  }

  static long[] score(ScorePlugin plugin, PodInfo pod, List<NodeInfo> nodes) {
    CycleState state = new CycleState();
    assertThat(((PreScorePlugin) plugin).preScore(state, pod, nodes).isSuccess()).isTrue();
    long[] scores = new long[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      scores[i] = plugin.score(state, pod, nodes.get(i));
    }
    plugin.normalizeScores(state, pod, nodes, scores);
    return scores;
  }
}
