package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Running;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Terminated;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus.Waiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodStatusGeneratorTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static Pod pod(String restartPolicy) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withNamespace("default")
        .withUid("u1")
        .endMetadata()
        .withNewSpec()
        .withNodeName("n1")
        .withRestartPolicy(restartPolicy)
        .addNewInitContainer()
        .withName("setup")
        .withImage("busybox")
        .endInitContainer()
        .addNewContainer()
        .withName("web")
        .withImage("nginx")
        .endContainer()
        .addNewContainer()
        .withName("app")
        .withImage("busybox")
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/data")
        .withReadOnly(true)
        .endVolumeMount()
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .addNewCondition()
        .withType("PodScheduled")
        .withStatus("True")
        .withLastTransitionTime("2026-11-25T09:59:59Z")
        .endCondition()
        .addNewCondition()
        .withType("example.com/gate")
        .withStatus("True")
        .withLastTransitionTime("2026-11-25T09:59:58Z")
        .endCondition()
        .endStatus()
        .build();
  }

  private static ContainerRuntimeStatus running(String name, boolean ready) {
    return new ContainerRuntimeStatus(
        name, "sim://" + name, null, "sim://img", new Running(T0), ready, true, 0, null);
  }

  private static ContainerRuntimeStatus exited(String name, int code) {
    return new ContainerRuntimeStatus(
        name,
        "sim://" + name,
        null,
        "sim://img",
        new Terminated(code, Terminated.reasonFor(code), null, T0, T0.plusSeconds(5)),
        false,
        false,
        0,
        null);
  }

  private static PodRuntimeStatus runtime(boolean sandbox, ContainerRuntimeStatus... containers) {
    Map<String, ContainerRuntimeStatus> map = new HashMap<>();
    for (ContainerRuntimeStatus c : containers) {
      map.put(c.name(), c);
    }
    return new PodRuntimeStatus(sandbox, List.of("10.128.0.1"), List.of("172.16.0.1"), map);
  }

  private static Map<String, PodCondition> byType(PodStatus status) {
    Map<String, PodCondition> map = new HashMap<>();
    status.getConditions().forEach(c -> map.put(c.getType(), c));
    return map;
  }

  @Test
  void runningPodIsReadyWithEveryKubeletCondition() {
    PodStatus status =
        PodStatusGenerator.generate(
            pod("Always"),
            runtime(true, exited("setup", 0), running("web", true), running("app", true)),
            T0);

    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getConditions())
        .extracting(PodCondition::getType)
        .containsExactly(
            "example.com/gate",
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled");
    assertThat(status.getConditions()).allMatch(c -> c.getStatus().equals("True"));
    Map<String, PodCondition> conditions = byType(status);
    assertThat(conditions.get("PodScheduled").getLastTransitionTime())
        .isEqualTo("2026-11-25T09:59:59Z");
    assertThat(conditions.get("Ready").getLastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(status.getPodIP()).isEqualTo("10.128.0.1");
    assertThat(status.getPodIPs()).extracting("ip").containsExactly("10.128.0.1");
    assertThat(status.getHostIP()).isEqualTo("172.16.0.1");
    assertThat(status.getStartTime()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(status.getQosClass()).isEqualTo("BestEffort");
    assertThat(status.getContainerStatuses())
        .extracting(ContainerStatus::getName)
        .containsExactly("app", "web");
    ContainerStatus web = status.getContainerStatuses().get(1);
    assertThat(web.getState().getRunning().getStartedAt()).isEqualTo("2026-11-25T10:00:00Z");
    assertThat(web.getReady()).isTrue();
    assertThat(web.getStarted()).isTrue();
    assertThat(web.getRestartCount()).isZero();
    assertThat(web.getImage()).isEqualTo("nginx");
    assertThat(web.getContainerID()).isEqualTo("sim://web");
    assertThat(status.getContainerStatuses().getFirst().getVolumeMounts())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/data");
              assertThat(m.getRecursiveReadOnly()).isEqualTo("Disabled");
            });
    ContainerStatus setup = status.getInitContainerStatuses().getFirst();
    assertThat(setup.getState().getTerminated().getReason()).isEqualTo("Completed");
    assertThat(setup.getState().getTerminated().getExitCode()).isZero();
  }

  @Test
  void conditionsKeepTheirTransitionTimeWhileUnchanged() {
    Pod pod = pod("Always");
    PodRuntimeStatus up =
        runtime(true, exited("setup", 0), running("web", true), running("app", true));
    pod.setStatus(PodStatusGenerator.generate(pod, up, T0));

    PodStatus later = PodStatusGenerator.generate(pod, up, T0.plusSeconds(30));
    PodStatus unready =
        PodStatusGenerator.generate(
            pod,
            runtime(true, exited("setup", 0), running("web", false), running("app", true)),
            T0.plusSeconds(30));

    assertThat(byType(later).get("Ready").getLastTransitionTime())
        .isEqualTo("2026-11-25T10:00:00Z");
    assertThat(later.getStartTime()).isEqualTo("2026-11-25T10:00:00Z");
    PodCondition ready = byType(unready).get("Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("ContainersNotReady");
    assertThat(ready.getMessage()).isEqualTo("containers with unready status: [web]");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-25T10:00:30Z");
  }

  @Test
  void podWaitingOnInitContainersIsPendingAndSaysWhich() {
    PodStatus status =
        PodStatusGenerator.generate(
            pod("Always"),
            runtime(
                true,
                new ContainerRuntimeStatus(
                    "setup", "sim://setup", null, null, new Running(T0), false, true, 0, null)),
            T0);

    assertThat(status.getPhase()).isEqualTo("Pending");
    Map<String, PodCondition> conditions = byType(status);
    assertThat(conditions.get("Initialized").getReason()).isEqualTo("ContainersNotInitialized");
    assertThat(conditions.get("Initialized").getMessage())
        .isEqualTo("containers with incomplete status: [setup]");
    assertThat(conditions.get("ContainersReady").getMessage())
        .isEqualTo("containers with unknown status: [web app]");
    assertThat(status.getContainerStatuses())
        .allSatisfy(
            c -> assertThat(c.getState().getWaiting().getReason()).isEqualTo("PodInitializing"));
  }

  @Test
  void allContainersExitedZeroIsSucceededWithPodCompleted() {
    PodStatus status =
        PodStatusGenerator.generate(
            pod("Never"),
            runtime(false, exited("setup", 0), exited("web", 0), exited("app", 0)),
            T0);

    assertThat(status.getPhase()).isEqualTo("Succeeded");
    Map<String, PodCondition> conditions = byType(status);
    assertThat(conditions.get("Ready").getReason()).isEqualTo("PodCompleted");
    assertThat(conditions.get("ContainersReady").getReason()).isEqualTo("PodCompleted");
    assertThat(conditions.get("Initialized").getStatus()).isEqualTo("True");
    assertThat(conditions.get("Initialized").getReason()).isEqualTo("PodCompleted");
    assertThat(conditions.get("PodReadyToStartContainers").getStatus()).isEqualTo("False");
  }

  @Test
  void phaseFollowsRestartPolicyWhenAContainerFails() {
    PodRuntimeStatus failed =
        runtime(false, exited("setup", 0), exited("web", 0), exited("app", 2));

    assertThat(PodStatusGenerator.phase(pod("Never").getSpec(), failed)).isEqualTo("Failed");
    assertThat(PodStatusGenerator.phase(pod("OnFailure").getSpec(), failed)).isEqualTo("Running");
    assertThat(PodStatusGenerator.phase(pod("Always").getSpec(), failed)).isEqualTo("Running");
    assertThat(PodStatusGenerator.phase(pod("Never").getSpec(), runtime(false, exited("setup", 1))))
        .isEqualTo("Failed");
    assertThat(
            PodStatusGenerator.phase(
                pod("Always").getSpec(),
                runtime(
                    true,
                    exited("setup", 0),
                    running("web", true),
                    new ContainerRuntimeStatus(
                        "app",
                        null,
                        null,
                        null,
                        new Waiting("ErrImagePull", "x"),
                        false,
                        false,
                        0,
                        null))))
        .isEqualTo("Pending");
  }

  @Test
  void unmetReadinessGateKeepsPodUnready() {
    Pod pod = pod("Always");
    pod.getSpec()
        .setReadinessGates(
            List.of(new io.fabric8.kubernetes.api.model.PodReadinessGate("example.com/lb")));

    PodStatus status =
        PodStatusGenerator.generate(
            pod, runtime(true, exited("setup", 0), running("web", true), running("app", true)), T0);

    PodCondition ready = byType(status).get("Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("ReadinessGatesNotReady");
    assertThat(ready.getMessage())
        .isEqualTo(
            "corresponding condition of pod readiness gate \"example.com/lb\" does not exist.");
    assertThat(byType(status).get("ContainersReady").getStatus()).isEqualTo("True");
  }

  @Test
  void sidecarStoppedAfterTheContainersCompletedLeavesThePodSucceeded() {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("job")
            .withNamespace("default")
            .withUid("u2")
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .addNewInitContainer()
            .withName("proxy")
            .withImage("envoy")
            .withRestartPolicy("Always")
            .endInitContainer()
            .addNewContainer()
            .withName("work")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .build();

    assertThat(
            PodStatusGenerator.phase(
                pod.getSpec(), runtime(true, exited("proxy", 137), exited("work", 0))))
        .isEqualTo("Succeeded");
    // still initializing: the sidecar has not started and no container ran yet
    assertThat(
            PodStatusGenerator.phase(
                pod.getSpec(),
                runtime(
                    true,
                    new ContainerRuntimeStatus(
                        "proxy", "c://p", null, null, new Running(T0), false, false, 0, null))))
        .isEqualTo("Pending");
  }
}
