package dev.skiff.kubelet.prober;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.cri.v1.ExecSyncRequest;
import dev.skiff.kubelet.cri.v1.ExecSyncResponse;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus;
import dev.skiff.kubelet.pod.PodRuntimeStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProbeManagerTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final String UID = "uid-1";

  record Restart(String uid, String container, String containerId, String message) {}

  FakeProbeScheduler clock;
  FakeRuntime runtime;
  RecordingEvents events;
  List<Restart> restarts;
  List<String> changes;
  ProbeManager probes;

  @BeforeEach
  void setUp() throws Exception {
    clock = new FakeProbeScheduler(T0);
    runtime = new FakeRuntime();
    events = new RecordingEvents();
    restarts = new CopyOnWriteArrayList<>();
    changes = new CopyOnWriteArrayList<>();
    probes =
        new ProbeManager(
            runtime.client(),
            events,
            (uid, name, id, message) -> restarts.add(new Restart(uid, name, id, message)),
            changes::add,
            clock);
  }

  @AfterEach
  void tearDown() {
    probes.close();
    runtime.close();
  }

  static Probe exec(String command, Function<ProbeBuilder, ProbeBuilder> tune) {
    return tune.apply(new ProbeBuilder().withNewExec().withCommand(command).endExec()).build();
  }

  static Container container(String name, Function<ContainerBuilder, ContainerBuilder> tune) {
    return tune.apply(new ContainerBuilder().withName(name).withImage("busybox")).build();
  }

  static Pod pod(String restartPolicy, Container... containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-pod")
        .withNamespace("default")
        .withUid(UID)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy(restartPolicy)
        .withContainers(containers)
        .endSpec()
        .build();
  }

  static PodRuntimeStatus running(String name, String id, Instant startedAt) {
    return new PodRuntimeStatus(
        true,
        List.of("127.0.0.1"),
        List.of("127.0.0.1"),
        Map.of(name, status(name, id, new ContainerRuntimeStatus.Running(startedAt))));
  }

  static ContainerRuntimeStatus status(String name, String id, ContainerRuntimeStatus.State s) {
    return new ContainerRuntimeStatus(name, id, "busybox", "sha256:1", s, false, false, 0, null);
  }

  /** Answers each command from its own queue of exit codes (the last one repeats). */
  static Function<ExecSyncRequest, ExecSyncResponse> exits(Map<String, List<Integer>> codes) {
    Map<String, AtomicInteger> calls = new java.util.concurrent.ConcurrentHashMap<>();
    return r -> {
      List<Integer> list = codes.getOrDefault(r.getCmd(0), List.of(0));
      int i = calls.computeIfAbsent(r.getCmd(0), k -> new AtomicInteger()).getAndIncrement();
      int code = list.get(Math.min(i, list.size() - 1));
      return FakeRuntime.exit(code, code == 0 ? "" : r.getCmd(0) + " says no\n", "");
    };
  }

  @Test
  void readinessIsFalseUntilSuccessThresholdIsReached() {
    runtime.script = exits(Map.of("ready", List.of(0)));
    Pod pod =
        pod(
            "Always",
            container(
                "web", c -> c.withReadinessProbe(exec("ready", p -> p.withSuccessThreshold(2)))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    assertThat(runtime.execCount("ready")).isZero();

    clock.runDue(); // first run at once: one success of two
    assertThat(runtime.execCount("ready")).isEqualTo(1);
    assertThat(changes).isEmpty();
    clock.advance(Duration.ofSeconds(9));
    assertThat(runtime.execCount("ready")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1)); // periodSeconds defaults to 10
    assertThat(runtime.execCount("ready")).isEqualTo(2);
    assertThat(probes.ready(UID, "web", "c1")).isTrue();
    assertThat(probes.started(UID, "web", "c1")).isTrue();
    assertThat(changes).containsExactly(UID);
    assertThat(events.events).isEmpty();
  }

  @Test
  void askingWhileNotReadyTriggersAnImmediateReadinessRun() {
    runtime.script = exits(Map.of("ready", List.of(0)));
    Pod pod =
        pod(
            "Always",
            container(
                "web", c -> c.withReadinessProbe(exec("ready", p -> p.withSuccessThreshold(2)))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    assertThat(probes.ready(UID, "web", "c1")).isFalse(); // one success of two; asks for a run
    assertThat(probes.ready(UID, "web", "c1")).isFalse(); // at most one run is pending
    assertThat(runtime.execCount("ready")).isEqualTo(1);
    clock.runDue(); // no time passes
    assertThat(runtime.execCount("ready")).isEqualTo(2);
    assertThat(probes.ready(UID, "web", "c1")).isTrue();
  }

  @Test
  void readinessFailureFlipsReadyBackAfterFailureThreshold() {
    runtime.script = exits(Map.of("ready", List.of(0, 1)));
    Pod pod =
        pod(
            "Always",
            container(
                "web",
                c ->
                    c.withReadinessProbe(
                        exec("ready", p -> p.withPeriodSeconds(5).withFailureThreshold(2)))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    assertThat(probes.ready(UID, "web", "c1")).isTrue();
    clock.advance(Duration.ofSeconds(5));
    assertThat(probes.ready(UID, "web", "c1")).isTrue(); // one failure of two
    clock.advance(Duration.ofSeconds(5));
    assertThat(probes.ready(UID, "web", "c1")).isFalse();
    assertThat(changes).containsExactly(UID, UID);
    assertThat(events.messages("Unhealthy"))
        .containsExactly(
            "Readiness probe failed: ready says no\n", "Readiness probe failed: ready says no\n");
    assertThat(restarts).isEmpty();
  }

  @Test
  void livenessFailureThresholdAsksForRestartAndHoldsUntilNewContainer() {
    runtime.script = exits(Map.of("live", List.of(1)));
    Pod pod = pod("Always", container("web", c -> c.withLivenessProbe(exec("live", p -> p))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(restarts).isEmpty();
    clock.advance(Duration.ofSeconds(10)); // third failure: failureThreshold defaults to 3
    assertThat(restarts)
        .containsExactly(
            new Restart(
                UID, "web", "c1", "Container web failed liveness probe, will be restarted"));
    assertThat(events.messages("Unhealthy"))
        .hasSize(3)
        .allMatch(m -> m.equals("Liveness probe failed: live says no\n"));
    assertThat(events.events).allMatch(e -> e.type().equals("Warning"));

    clock.advance(Duration.ofSeconds(60)); // on hold: no more probes of c1
    assertThat(runtime.execCount("live")).isEqualTo(3);
    assertThat(changes).isEmpty(); // liveness results are not readiness or startup

    // the restarted container is probed afresh
    runtime.script = exits(Map.of("live", List.of(0)));
    probes.sync(pod, running("web", "c2", clock.instant()));
    clock.runDue();
    assertThat(runtime.execCount("live")).isEqualTo(4);
    assertThat(runtime.execs.getLast().getContainerId()).isEqualTo("c2");
    assertThat(runtime.execs.getLast().getTimeout()).isEqualTo(1); // timeoutSeconds default
    assertThat(restarts).hasSize(1);
  }

  @Test
  void livenessFailureWithRestartPolicyNeverIsNotARestart() {
    runtime.script = exits(Map.of("live", List.of(1)));
    Pod pod =
        pod(
            "Never",
            container(
                "web", c -> c.withLivenessProbe(exec("live", p -> p.withFailureThreshold(1)))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    assertThat(restarts)
        .containsExactly(new Restart(UID, "web", "c1", "Container web failed liveness probe"));
  }

  @Test
  void initialDelayCountsFromContainerStart() {
    Pod pod =
        pod(
            "Always",
            container(
                "web", c -> c.withLivenessProbe(exec("live", p -> p.withInitialDelaySeconds(15)))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(runtime.execCount("live")).isZero();
    clock.advance(Duration.ofSeconds(10)); // 20 s after start
    assertThat(runtime.execCount("live")).isEqualTo(1);
  }

  @Test
  void startupProbeGatesLivenessAndReadinessThenStops() {
    runtime.script = exits(Map.of("start", List.of(1, 1, 0)));
    Pod pod =
        pod(
            "Always",
            container(
                "web",
                c ->
                    c.withStartupProbe(exec("start", p -> p.withPeriodSeconds(1)))
                        .withLivenessProbe(exec("live", p -> p))
                        .withReadinessProbe(exec("ready", p -> p))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    assertThat(probes.started(UID, "web", "c1")).isFalse();
    assertThat(probes.ready(UID, "web", "c1")).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(probes.started(UID, "web", "c1")).isFalse();
    assertThat(runtime.execCount("live")).isZero();
    assertThat(runtime.execCount("ready")).isZero();

    clock.advance(Duration.ofSeconds(1)); // third run succeeds
    assertThat(probes.started(UID, "web", "c1")).isTrue();
    assertThat(changes).containsExactly(UID);
    assertThat(events.messages("Unhealthy"))
        .containsExactly(
            "Startup probe failed: start says no\n", "Startup probe failed: start says no\n");
    assertThat(restarts).isEmpty();

    // the pod worker re-syncs and asks: readiness runs at once instead of a period later
    assertThat(probes.ready(UID, "web", "c1")).isFalse();
    clock.runDue();
    assertThat(runtime.execCount("ready")).isEqualTo(1);
    assertThat(probes.ready(UID, "web", "c1")).isTrue();

    clock.advance(Duration.ofSeconds(10));
    assertThat(runtime.execCount("start")).isEqualTo(3); // no more startup probes once passed
    assertThat(runtime.execCount("live")).isGreaterThanOrEqualTo(1);
  }

  @Test
  void startupFailureThresholdAsksForRestart() {
    runtime.script = exits(Map.of("start", List.of(1)));
    Pod pod =
        pod(
            "OnFailure",
            container(
                "web",
                c ->
                    c.withStartupProbe(
                        exec("start", p -> p.withPeriodSeconds(2).withFailureThreshold(2)))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    clock.advance(Duration.ofSeconds(2));
    assertThat(restarts)
        .containsExactly(
            new Restart(UID, "web", "c1", "Container web failed startup probe, will be restarted"));
    assertThat(probes.started(UID, "web", "c1")).isFalse();
  }

  @Test
  void newContainerIdResetsResultsAndStoppedContainerIsNotProbed() {
    Pod pod = pod("Always", container("web", c -> c.withReadinessProbe(exec("ready", p -> p))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    assertThat(probes.ready(UID, "web", "c1")).isTrue();

    // the container exits: its worker stops
    probes.sync(
        pod,
        new PodRuntimeStatus(
            true,
            List.of("127.0.0.1"),
            List.of(),
            Map.of(
                "web",
                status(
                    "web",
                    "c1",
                    new ContainerRuntimeStatus.Terminated(1, "Error", null, T0, T0)))));
    assertThat(probes.ready(UID, "web", "c1")).isFalse();
    assertThat(probes.started(UID, "web", "c1")).isFalse();
    clock.advance(Duration.ofSeconds(30));
    assertThat(runtime.execCount("ready")).isEqualTo(1);

    // restarted under a new id: not ready until its own first success
    probes.sync(pod, running("web", "c2", clock.instant()));
    assertThat(probes.ready(UID, "web", "c2")).isFalse();
    assertThat(probes.ready(UID, "web", "c1")).isFalse();
    clock.runDue();
    assertThat(probes.ready(UID, "web", "c2")).isTrue();

    // the worker's first run and the run that asking triggered
    assertThat(runtime.execCount("ready")).isEqualTo(3);
    probes.removePod(UID);
    clock.advance(Duration.ofSeconds(60));
    assertThat(runtime.execCount("ready")).isEqualTo(3);
    assertThat(clock.pending()).isZero();
  }

  @Test
  void containersWithoutProbesAreReadyAndStartedOnceThePodIsSynced() {
    Pod pod = pod("Always", container("web", c -> c));
    // not synced yet: its probes are unknown
    assertThat(probes.ready(UID, "web", "c1")).isFalse();
    assertThat(probes.started(UID, "web", "c1")).isFalse();
    probes.sync(pod, running("web", "c1", T0));
    assertThat(changes).containsExactly(UID); // so the pod worker asks again
    assertThat(probes.ready(UID, "web", "c1")).isTrue();
    assertThat(probes.started(UID, "web", "c1")).isTrue();
    probes.sync(pod, running("web", "c1", T0));
    assertThat(changes).containsExactly(UID);
    assertThat(clock.pending()).isZero();
  }

  @Test
  void killGracePeriodIsTheFailedProbesOwn() {
    Container c =
        container(
            "web",
            b ->
                b.withLivenessProbe(exec("live", p -> p.withTerminationGracePeriodSeconds(3L)))
                    .withStartupProbe(exec("start", p -> p)));
    Duration pod = Duration.ofSeconds(30);
    assertThat(
            ProbeManager.killGracePeriod(
                c, "Container web failed liveness probe, will be restarted", pod))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(
            ProbeManager.killGracePeriod(
                c, "Container web failed startup probe, will be restarted", pod))
        .isEqualTo(pod);
    assertThat(ProbeManager.killGracePeriod(c, "FailedPostStartHook", pod)).isEqualTo(pod);
  }

  @Test
  void invalidPortsAreEventsNotCrashesAndNeverCountAsFailures() {
    Pod pod =
        pod(
            "Always",
            container(
                "web",
                c ->
                    c.withLivenessProbe(
                            new ProbeBuilder()
                                .withNewTcpSocket()
                                .withPort(new IntOrString("http"))
                                .endTcpSocket()
                                .withFailureThreshold(1)
                                .build())
                        .withReadinessProbe(
                            new ProbeBuilder()
                                .withNewHttpGet()
                                .withPath("/ready")
                                .withPort(new IntOrString(0))
                                .endHttpGet()
                                .build())));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(events.messages("Unhealthy"))
        .contains(
            "Liveness probe errored and resulted in unknown state:"
                + " strconv.Atoi: parsing \"http\": invalid syntax",
            "Readiness probe errored and resulted in unknown state: invalid port number: 0");
    assertThat(restarts).isEmpty(); // an errored probe's result is thrown away
    assertThat(probes.ready(UID, "web", "c1")).isFalse();
    assertThat(clock.pending()).isGreaterThan(0); // the workers live on
  }

  @Test
  void execTimeoutAndRuntimeErrorsAreWordedAsKubernetes() {
    List<String> seen = new ArrayList<>();
    runtime.script =
        r -> {
          seen.add(String.join(" ", r.getCmdList()));
          if (r.getCmd(0).equals("sh")) {
            throw Status.DEADLINE_EXCEEDED.withDescription("too slow").asRuntimeException();
          }
          throw Status.NOT_FOUND.withDescription("container c1 not found").asRuntimeException();
        };
    Pod pod =
        pod(
            "Always",
            container(
                "web",
                c ->
                    c.withLivenessProbe(
                            new ProbeBuilder()
                                .withNewExec()
                                .withCommand("sh", "-c", "sleep 5")
                                .endExec()
                                .withTimeoutSeconds(2)
                                .build())
                        .withReadinessProbe(exec("ready", p -> p))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    assertThat(events.messages("Unhealthy"))
        .containsExactlyInAnyOrder(
            "Liveness probe failed: command \"sh -c sleep 5\" timed out",
            "Readiness probe errored and resulted in unknown state:"
                + " rpc error: code = NotFound desc = container c1 not found");
    // a probe that could not run is retried (3 tries), a timed-out one is a failure
    assertThat(seen.stream().filter(s -> s.equals("ready")).count()).isEqualTo(3);
    assertThat(runtime.execs.stream().filter(r -> r.getCmd(0).equals("sh")).findFirst())
        .hasValueSatisfying(r -> assertThat(r.getTimeout()).isEqualTo(2));
  }

  @Test
  void deletedPodStopsLivenessQuietly() {
    runtime.script = exits(Map.of("live", List.of(1)));
    Pod pod = pod("Always", container("web", c -> c.withLivenessProbe(exec("live", p -> p))));
    probes.sync(pod, running("web", "c1", T0));
    changes.clear(); // the first sync's notice (see containersWithoutProbesAreReadyAndStarted)
    clock.runDue();
    assertThat(runtime.execCount("live")).isEqualTo(1);
    Pod deleting =
        new PodBuilder(pod)
            .editMetadata()
            .withDeletionTimestamp("2026-01-01T00:00:05Z")
            .endMetadata()
            .build();
    probes.sync(deleting, running("web", "c1", T0));
    clock.advance(Duration.ofSeconds(60));
    assertThat(runtime.execCount("live")).isEqualTo(1);
    assertThat(restarts).isEmpty();
  }

  @Test
  void sidecarInitContainersAreProbedAndAlwaysRestart() {
    runtime.script = exits(Map.of("live", List.of(1)));
    Container sidecar =
        container(
            "proxy",
            c ->
                c.withRestartPolicy("Always")
                    .withLivenessProbe(exec("live", p -> p.withFailureThreshold(1))));
    Pod pod =
        new PodBuilder(pod("Never", container("web", c -> c)))
            .editSpec()
            .withInitContainers(sidecar)
            .endSpec()
            .build();
    probes.sync(pod, running("proxy", "s1", T0));
    clock.runDue();
    assertThat(restarts)
        .containsExactly(
            new Restart(
                UID, "proxy", "s1", "Container proxy failed liveness probe, will be restarted"));
  }

  @Test
  void aFailingListenerDoesNotKillTheWorker() {
    ProbeManager angry =
        new ProbeManager(
            runtime.client(),
            events,
            (uid, name, id, message) -> {
              throw new IllegalStateException("pod worker gone");
            },
            uid -> {
              throw new IllegalStateException("pod worker gone");
            },
            clock);
    runtime.script = exits(Map.of("ready", List.of(0, 1)));
    Pod pod =
        pod(
            "Always",
            container(
                "web",
                c ->
                    c.withReadinessProbe(exec("ready", p -> p.withFailureThreshold(1)))
                        .withLivenessProbe(exec("live", p -> p))));
    angry.sync(pod, running("web", "c1", T0));
    clock.runDue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(angry.ready(UID, "web", "c1")).isFalse();
    clock.advance(Duration.ofSeconds(10)); // the triggered run, then the period's
    assertThat(runtime.execCount("ready")).isEqualTo(4);
    angry.close();
  }
}
