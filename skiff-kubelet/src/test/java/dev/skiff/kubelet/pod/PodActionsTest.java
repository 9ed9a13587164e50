package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.pod.RuntimePod.RuntimeContainer;
import dev.skiff.kubelet.pod.RuntimePod.Sandbox;
import dev.skiff.kubelet.pod.RuntimePod.State;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The sync decisions, from a pod spec and a runtime state, without a runtime. */
class PodActionsTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  /**
   * One decision.
   *
   * @param running the names of running containers in the current sandbox
   * @param exited name=exitCode of exited containers in the current sandbox
   * @param expectStart the names of the containers to start, in order
   */
  record Case(
      String name,
      String restartPolicy,
      List<Container> init,
      List<String> containers,
      boolean sandboxReady,
      List<String> running,
      Map<String, Integer> exited,
      boolean expectCreateSandbox,
      boolean expectKillPod,
      List<String> expectStart) {}

  private static Container sidecar(String name) {
    return new ContainerBuilder().withName(name).withImage("i").withRestartPolicy("Always").build();
  }

  private static Container init(String name) {
    return new ContainerBuilder().withName(name).withImage("i").build();
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "new pod: sandbox and all containers",
            "Always",
            List.of(),
            List.of("a", "b"),
            false,
            List.of(),
            Map.of(),
            true,
            false,
            List.of("a", "b")),
        new Case(
            "new pod with init containers: only the first init",
            "Always",
            List.of(init("i1"), init("i2")),
            List.of("a"),
            false,
            List.of(),
            Map.of(),
            true,
            false,
            List.of("i1")),
        new Case(
            "all running: nothing to do",
            "Always",
            List.of(),
            List.of("a", "b"),
            true,
            List.of("a", "b"),
            Map.of(),
            false,
            false,
            List.of()),
        new Case(
            "exited with Always: restart",
            "Always",
            List.of(),
            List.of("a"),
            true,
            List.of(),
            Map.of("a", 0),
            false,
            false,
            List.of("a")),
        new Case(
            "exit 0 with OnFailure: pod done",
            "OnFailure",
            List.of(),
            List.of("a"),
            true,
            List.of(),
            Map.of("a", 0),
            false,
            true,
            List.of()),
        new Case(
            "exit 1 with OnFailure: restart",
            "OnFailure",
            List.of(),
            List.of("a"),
            true,
            List.of(),
            Map.of("a", 1),
            false,
            false,
            List.of("a")),
        new Case(
            "one of two exited with Never: keep the other",
            "Never",
            List.of(),
            List.of("a", "b"),
            true,
            List.of("b"),
            Map.of("a", 1),
            false,
            false,
            List.of()),
        new Case(
            "all exited with Never: pod done",
            "Never",
            List.of(),
            List.of("a", "b"),
            true,
            List.of(),
            Map.of("a", 1, "b", 0),
            false,
            true,
            List.of()),
        new Case(
            "init done: next init",
            "Always",
            List.of(init("i1"), init("i2")),
            List.of("a"),
            true,
            List.of(),
            Map.of("i1", 0),
            false,
            false,
            List.of("i2")),
        new Case(
            "init running: wait",
            "Always",
            List.of(init("i1"), init("i2")),
            List.of("a"),
            true,
            List.of("i1"),
            Map.of(),
            false,
            false,
            List.of()),
        new Case(
            "init failed with Never: pod fails",
            "Never",
            List.of(init("i1")),
            List.of("a"),
            true,
            List.of(),
            Map.of("i1", 1),
            false,
            true,
            List.of()),
        new Case(
            "inits done: containers",
            "Always",
            List.of(init("i1"), init("i2")),
            List.of("a", "b"),
            true,
            List.of(),
            Map.of("i1", 0, "i2", 0),
            false,
            false,
            List.of("a", "b")),
        new Case(
            "sidecar started: the next init follows",
            "Always",
            List.of(sidecar("s"), init("i1")),
            List.of("a"),
            true,
            List.of("s"),
            Map.of(),
            false,
            false,
            List.of("i1")),
        new Case(
            "sidecar and inits done: containers, sidecar kept",
            "Never",
            List.of(sidecar("s"), init("i1")),
            List.of("a"),
            true,
            List.of("s"),
            Map.of("i1", 0),
            false,
            false,
            List.of("a")),
        new Case(
            "regular containers done with Never: sidecars go too",
            "Never",
            List.of(sidecar("s")),
            List.of("a"),
            true,
            List.of("s"),
            Map.of("a", 0),
            false,
            true,
            List.of()),
        new Case(
            "exited sidecar restarts whatever the policy",
            "Never",
            List.of(sidecar("s")),
            List.of("a"),
            true,
            List.of("a"),
            Map.of("s", 1),
            false,
            false,
            List.of("s")),
        new Case(
            "dead sandbox: recreate and start over",
            "Always",
            List.of(),
            List.of("a"),
            false,
            List.of(),
            Map.of("a", 0),
            true,
            true,
            List.of("a")),
        new Case(
            "dead sandbox with Never after a run: no new sandbox",
            "Never",
            List.of(),
            List.of("a"),
            false,
            List.of(),
            Map.of("a", 0),
            false,
            true,
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void actions(Case c) {
    List<Container> containers =
        c.containers().stream()
            .map(n -> new ContainerBuilder().withName(n).withImage("i").build())
            .toList();
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("ns")
            .withUid("u")
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy(c.restartPolicy())
            .withInitContainers(c.init())
            .withContainers(containers)
            .endSpec()
            .build();
    List<RuntimeContainer> runtimeContainers = new ArrayList<>();
    int tick = 0;
    for (String name : c.running()) {
      runtimeContainers.add(container(name, State.RUNNING, 0, tick++));
    }
    for (Map.Entry<String, Integer> e : c.exited().entrySet()) {
      runtimeContainers.add(container(e.getKey(), State.EXITED, e.getValue(), tick++));
    }
    boolean anySandbox = c.sandboxReady() || !runtimeContainers.isEmpty();
    List<Sandbox> sandboxes =
        anySandbox ? List.of(new Sandbox("sb", 0, c.sandboxReady(), T0, List.of())) : List.of();
    RuntimePod runtime = new RuntimePod("u", sandboxes, runtimeContainers);

    PodActions actions =
        PodActions.compute(
            pod, runtime, Backoff.kubelet(() -> T0), RuntimeContainer::running, Map.of());

    assertThat(actions.createSandbox()).as("createSandbox").isEqualTo(c.expectCreateSandbox());
    assertThat(actions.killPod()).as("killPod").isEqualTo(c.expectKillPod());
    assertThat(actions.start())
        .extracting(s -> s.container().getName())
        .containsExactlyElementsOf(c.expectStart());
  }

  private static RuntimeContainer container(String name, State state, int exitCode, int tick) {
    Instant at = T0.plusSeconds(tick);
    return new RuntimeContainer(
        "id-" + name,
        "sb",
        name,
        0,
        state,
        at,
        at,
        state == State.EXITED ? at : null,
        exitCode,
        "",
        "",
        "i",
        "sha256:1",
        PodActions.containerHash(new ContainerBuilder().withImage("i").build()));
  }
}
