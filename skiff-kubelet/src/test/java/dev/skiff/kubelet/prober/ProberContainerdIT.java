package dev.skiff.kubelet.prober;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.image.BusyboxImage;
import dev.skiff.kubelet.network.BusyboxPod;
import dev.skiff.kubelet.network.TestNamespaces;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus;
import dev.skiff.kubelet.pod.PodConfigException;
import dev.skiff.kubelet.pod.PodRuntimeStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exec probes and exec hooks against a real containerd 1.6 (in a network namespace of its own)
 * running a busybox container: what ExecSync really returns, worded in events as Kubernetes does.
 */
class ProberContainerdIT {
  private static final TestNamespaces namespaces = new TestNamespaces();
  private static CriClient cri;
  private static BusyboxPod pod;
  private static String containerId;

  @BeforeAll
  static void startContainerdAndAContainer() throws Exception {
    pod = BusyboxPod.start(namespaces, "prb", "while true; do sleep 1; done");
    cri = pod.cri();
    containerId = pod.containerId();
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (pod != null) {
        pod.close();
      }
    } finally {
      namespaces.close();
    }
  }

  static Probe exec(int timeoutSeconds, String... cmd) {
    return new ProbeBuilder()
        .withNewExec()
        .withCommand(cmd)
        .endExec()
        .withTimeoutSeconds(timeoutSeconds)
        .withFailureThreshold(1)
        .build();
  }

  static Pod pod(Container c) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("default")
        .withName("web")
        .withUid("web-uid")
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Always")
        .withContainers(c)
        .endSpec()
        .build();
  }

  static PodRuntimeStatus running() {
    return new PodRuntimeStatus(
        true,
        List.of(),
        List.of(),
        Map.of(
            "app",
            new ContainerRuntimeStatus(
                "app",
                containerId,
                BusyboxImage.REFERENCE,
                "",
                new ContainerRuntimeStatus.Running(Instant.EPOCH),
                false,
                false,
                0,
                null)));
  }

  @Test
  void hooksAndProbesExecInTheContainer() throws Exception {
    RecordingEvents events = new RecordingEvents();
    List<String> restarts = new CopyOnWriteArrayList<>();
    FakeProbeScheduler clock = new FakeProbeScheduler(Instant.EPOCH);
    LifecycleHookRunner hooks = new LifecycleHookRunner(cri, events);
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withImage(BusyboxImage.REFERENCE)
            .withNewLifecycle()
            .withPostStart(
                new LifecycleHandlerBuilder()
                    .withNewExec()
                    .withCommand("sh", "-c", "echo up > /tmp/started")
                    .endExec()
                    .build())
            .endLifecycle()
            .withReadinessProbe(exec(5, "cat", "/tmp/started"))
            .withLivenessProbe(exec(5, "cat", "/tmp/healthy"))
            .build();
    Pod pod = pod(app);
    hooks.postStart(pod, app, containerId, "");
    assertThat(events.events).isEmpty();

    try (ProbeManager probes =
        new ProbeManager(
            cri, events, (uid, name, id, message) -> restarts.add(message), uid -> {}, clock)) {
      probes.sync(pod, running());
      clock.runDue();
      assertThat(probes.ready("web-uid", "app", containerId)).isTrue();
      assertThat(restarts)
          .containsExactly("Container app failed liveness probe, will be restarted");
      assertThat(events.messages("Unhealthy"))
          .containsExactly(
              "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    }
  }

  @Test
  void execProbeThatOutlivesItsTimeoutFails() {
    RecordingEvents events = new RecordingEvents();
    List<String> restarts = new CopyOnWriteArrayList<>();
    FakeProbeScheduler clock = new FakeProbeScheduler(Instant.EPOCH);
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withImage(BusyboxImage.REFERENCE)
            .withLivenessProbe(exec(1, "sleep", "10"))
            .build();
    try (ProbeManager probes =
        new ProbeManager(
            cri, events, (uid, name, id, message) -> restarts.add(message), uid -> {}, clock)) {
      probes.sync(pod(app), running());
      clock.runDue();
      // containerd ends the exec at its timeout with DeadlineExceeded
      assertThat(events.messages("Unhealthy"))
          .containsExactly("Liveness probe failed: command \"sleep 10\" timed out");
      assertThat(restarts)
          .containsExactly("Container app failed liveness probe, will be restarted");
    }
  }

  @Test
  void failedPostStartExecIsWordedAsKubernetes() {
    RecordingEvents events = new RecordingEvents();
    Container app =
        new ContainerBuilder()
            .withName("app")
            .withImage(BusyboxImage.REFERENCE)
            .withNewLifecycle()
            .withPostStart(
                new LifecycleHandlerBuilder()
                    .withNewExec()
                    .withCommand("sh", "-c", "echo no >&2; exit 3")
                    .endExec()
                    .build())
            .endLifecycle()
            .build();
    LifecycleHookRunner hooks = new LifecycleHookRunner(cri, events);
    assertThatThrownBy(() -> hooks.postStart(pod(app), app, containerId, ""))
        .isInstanceOf(PodConfigException.class)
        .hasMessage(
            "Exec lifecycle hook ([sh -c echo no >&2; exit 3]) for Container \"app\" in Pod"
                + " \"web_default(web-uid)\" failed - error: command 'sh -c echo no >&2; exit 3'"
                + " exited with 3: no\n, message: \"no\\n\"");
    assertThat(events.events).isEmpty();
  }
}
