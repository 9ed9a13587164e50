package dev.skiff.scheduler.framework;

import static dev.skiff.scheduler.testing.Objects.node;
import static dev.skiff.scheduler.testing.Objects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.scheduler.testing.FakeHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The framework's rules for running extension points, with recording test plugins. */
class FrameworkTest {
  final List<String> calls = new ArrayList<>();

  /** A plugin at every point that records its calls and answers as configured. */
  final class Recorder
      implements PreFilterPlugin,
          FilterPlugin,
          ScorePlugin,
          ReservePlugin,
          PermitPlugin,
          BindPlugin {
    final String name;
    PreFilterResult preFilter = PreFilterResult.SUCCESS;
    Set<String> rejectNodes = Set.of();
    Map<String, Long> scores = Map.of();
    PluginStatus reserve = PluginStatus.SUCCESS;
    PermitResult permit = PermitResult.ALLOW;
    PluginStatus bind = PluginStatus.SKIP;

    Recorder(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public PreFilterResult preFilter(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
      calls.add(name + ".preFilter");
      return preFilter;
    }

    @Override
    public PluginStatus filter(CycleState state, PodInfo pod, NodeInfo node) {
      calls.add(name + ".filter(" + node.name() + ")");
      return rejectNodes.contains(node.name())
          ? PluginStatus.unschedulable(name + " says no")
          : PluginStatus.SUCCESS;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
      return scores.getOrDefault(node.name(), 0L);
    }

    @Override
    public PluginStatus reserve(CycleState state, PodInfo pod, String nodeName) {
      calls.add(name + ".reserve");
      return reserve;
    }

    @Override
    public void unreserve(CycleState state, PodInfo pod, String nodeName) {
      calls.add(name + ".unreserve");
    }

    @Override
    public PermitResult permit(CycleState state, PodInfo pod, String nodeName) {
      return permit;
    }

    @Override
    public PluginStatus bind(CycleState state, PodInfo pod, String nodeName) {
      calls.add(name + ".bind");
      return bind;
    }
  }

  final Recorder a = new Recorder("A");
  final Recorder b = new Recorder("B");
  final List<NodeInfo> nodes =
      List.of(NodeInfo.of(node("n1")), NodeInfo.of(node("n2")), NodeInfo.of(node("n3")));
  final FakeHandle handle = new FakeHandle(nodes);
  final PodInfo pod = PodInfo.of(pod("p"));

  Framework framework(int weightA, int weightB) {
    Map<ExtensionPoint, List<PluginRef>> plugins = new java.util.EnumMap<>(ExtensionPoint.class);
    for (ExtensionPoint p :
        List.of(
            ExtensionPoint.PRE_FILTER,
            ExtensionPoint.FILTER,
            ExtensionPoint.RESERVE,
            ExtensionPoint.PERMIT,
            ExtensionPoint.BIND)) {
      plugins.put(p, List.of(PluginRef.of("A"), PluginRef.of("B")));
    }
    plugins.put(
        ExtensionPoint.SCORE, List.of(new PluginRef("A", weightA), new PluginRef("B", weightB)));
    Map<String, PluginFactory> registry = Map.of("A", (args, h) -> a, "B", (args, h) -> b);
    Framework fwk =
        new Framework(new ProfileConfig("test", null, plugins, Map.of()), registry, handle);
    handle.framework = fwk;
    return fwk;
  }

  @Test
  void preFilterNodeSetsIntersectAndSkipDisablesTheFilter() {
    Framework fwk = framework(1, 1);
    a.preFilter = PreFilterResult.onlyNodes(Set.of("n1", "n2"));
    b.preFilter = PreFilterResult.SKIP;
    CycleState state = new CycleState();
    PreFilterResult r = fwk.runPreFilter(state, pod, nodes);
    assertThat(r.nodeNames()).containsExactlyInAnyOrder("n1", "n2");
    b.rejectNodes = Set.of("n1");
    assertThat(fwk.runFilter(state, pod, nodes.get(0)).isSuccess()).as("B is skipped").isTrue();
  }

  @Test
  void disjointPreFilterNodeSetsAreUnresolvable() {
    Framework fwk = framework(1, 1);
    a.preFilter = PreFilterResult.onlyNodes(Set.of("n1"));
    b.preFilter = PreFilterResult.onlyNodes(Set.of("n2"));
    PreFilterResult r = fwk.runPreFilter(new CycleState(), pod, nodes);
    assertThat(r.status().code()).isEqualTo(PluginStatus.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    assertThat(r.status().message())
        .isEqualTo("node(s) didn't satisfy plugin(s) [A, B] simultaneously");
  }

  @Test
  void filterStopsAtTheFirstRejectionAndNamesThePlugin() {
    Framework fwk = framework(1, 1);
    a.rejectNodes = Set.of("n2");
    PluginStatus s = fwk.runFilter(new CycleState(), pod, nodes.get(1));
    assertThat(s.plugin()).isEqualTo("A");
    assertThat(s.reasons()).containsExactly("A says no");
    assertThat(calls).containsExactly("A.filter(n2)");
  }

  @Test
  void scoresAreWeightedAndSummed() {
    Framework fwk = framework(2, 1);
    a.scores = Map.of("n1", 10L, "n2", 50L);
    b.scores = Map.of("n1", 100L, "n3", 30L);
    assertThat(fwk.runScore(new CycleState(), pod, nodes)).containsExactly(120, 100, 30);
  }

  @Test
  void aFailedReserveIsUndoneInReverseOrder() {
    Framework fwk = framework(1, 1);
    b.reserve = PluginStatus.error("full");
    CycleState state = new CycleState();
    PluginStatus s = fwk.runReserve(state, pod, "n1");
    assertThat(s.plugin()).isEqualTo("B");
    fwk.runUnreserve(state, pod, "n1");
    assertThat(calls).containsExactly("A.reserve", "B.reserve", "B.unreserve", "A.unreserve");
  }

  @Test
  void bindStopsAtTheFirstPluginThatDoesNotSkip() {
    Framework fwk = framework(1, 1);
    b.bind = PluginStatus.SUCCESS;
    assertThat(fwk.runBind(new CycleState(), pod, "n1").isSuccess()).isTrue();
    assertThat(calls).containsExactly("A.bind", "B.bind");
  }

  @Test
  void permitWaitsUntilEveryWaitingPluginAllows() throws Exception {
    Framework fwk = framework(1, 1);
    a.permit =
        new PermitResult(
            new PluginStatus(PluginStatus.Code.WAIT, List.of(), ""), Duration.ofMinutes(1));
    b.permit =
        new PermitResult(
            new PluginStatus(PluginStatus.Code.WAIT, List.of(), ""), Duration.ofMinutes(1));
    assertThat(fwk.runPermit(new CycleState(), pod, "n1").code()).isEqualTo(PluginStatus.Code.WAIT);
    CompletableFuture<PluginStatus> result =
        CompletableFuture.supplyAsync(() -> fwk.waitOnPermit(pod));
    fwk.waitingPod(pod.uid()).allow("A");
    assertThat(result).isNotDone();
    fwk.waitingPod(pod.uid()).allow("B");
    assertThat(result.get().isSuccess()).isTrue();
    assertThat(fwk.waitingPod(pod.uid())).isNull();
  }

  @Test
  void aRejectedWaitingPodFails() {
    Framework fwk = framework(1, 1);
    a.permit =
        new PermitResult(
            new PluginStatus(PluginStatus.Code.WAIT, List.of(), ""), Duration.ofMinutes(1));
    fwk.runPermit(new CycleState(), pod, "n1");
    fwk.waitingPod(pod.uid()).reject("A", "quota exceeded");
    PluginStatus s = fwk.waitOnPermit(pod);
    assertThat(s.code()).isEqualTo(PluginStatus.Code.UNSCHEDULABLE);
    assertThat(s.message()).isEqualTo("quota exceeded");
  }

  @Test
  void nominatedPodsOfHigherPriorityCountWhenFiltering() {
    PodInfo big = PodInfo.of(pod("big", "4", "1Gi").editSpec().withPriority(100).endSpec().build());
    handle.addNominatedPod(big, "n1");
    Map<String, PluginFactory> registry =
        Map.of(
            "NodeResourcesFit",
            (args, h) -> dev.skiff.scheduler.plugins.NodeResourcesFit.defaults());
    Framework fit =
        new Framework(
            new ProfileConfig(
                "fit",
                null,
                Map.of(ExtensionPoint.FILTER, List.of(PluginRef.of("NodeResourcesFit"))),
                Map.of()),
            registry,
            handle);
    PodInfo small = PodInfo.of(pod("small", "1", "1Gi").build());
    PluginStatus s = fit.runFilterWithNominatedPods(new CycleState(), small, nodes.get(0));
    assertThat(s.reasons()).containsExactly("Insufficient cpu");
    assertThat(fit.runFilterWithNominatedPods(new CycleState(), small, nodes.get(1)).isSuccess())
        .isTrue();
  }
}
