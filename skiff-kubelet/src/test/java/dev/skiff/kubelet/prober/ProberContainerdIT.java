package dev.skiff.kubelet.prober;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.CreateContainerRequest;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.LinuxPodSandboxConfig;
import dev.skiff.kubelet.cri.v1.LinuxSandboxSecurityContext;
import dev.skiff.kubelet.cri.v1.NamespaceMode;
import dev.skiff.kubelet.cri.v1.NamespaceOption;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import dev.skiff.kubelet.cri.v1.RemovePodSandboxRequest;
import dev.skiff.kubelet.cri.v1.RunPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.StartContainerRequest;
import dev.skiff.kubelet.cri.v1.StopPodSandboxRequest;
import dev.skiff.kubelet.image.BusyboxImage;
import dev.skiff.kubelet.image.ImageImporter;
import dev.skiff.kubelet.network.TestNamespaces;
import dev.skiff.kubelet.pod.ContainerRuntimeStatus;
import dev.skiff.kubelet.pod.PodConfigException;
import dev.skiff.kubelet.pod.PodRuntimeStatus;
import dev.skiff.kubelet.runtime.ContainerdOptions;
import dev.skiff.kubelet.runtime.ContainerdSupervisor;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LifecycleHandlerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
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
  private static Path dataDir;
  private static ContainerdSupervisor containerd;
  private static CriClient cri;
  private static String sandboxId;
  private static String containerId;

  @BeforeAll
  static void startContainerdAndAContainer() throws Exception {
    dataDir = Files.createTempDirectory("skiff-probes-");
    Files.createDirectories(dataDir.resolve("agent"));
    var netns = namespaces.create("prb");
    ContainerdOptions options = ContainerdOptions.defaults(dataDir).withNetns(netns.netns());
    containerd = new ContainerdSupervisor(options).start();
    String socket = options.socket().toString();
    ImageImporter images = new ImageImporter();
    images.ensurePauseImage(socket);
    images.importArchive(BusyboxImage.write(dataDir.resolve("busybox.tar")).file(), socket);
    cri = CriClient.connect(containerd.endpoint());
    Map<String, String> labels =
        Map.of(
            CriLabels.POD_NAMESPACE, "default",
            CriLabels.POD_NAME, "web",
            CriLabels.POD_UID, "web-uid");
    PodSandboxConfig sandbox =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder()
                    .setName("web")
                    .setNamespace("default")
                    .setUid("web-uid"))
            .setLogDirectory(dataDir.resolve("pods/default_web_web-uid").toString())
            .putAllLabels(labels)
            .setLinux(
                LinuxPodSandboxConfig.newBuilder()
                    .setSecurityContext(
                        LinuxSandboxSecurityContext.newBuilder()
                            .setNamespaceOptions(
                                NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE))))
            .build();
    sandboxId =
        cri.runtime(120)
            .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(sandbox).build())
            .getPodSandboxId();
    containerId =
        cri.runtime(120)
            .createContainer(
                CreateContainerRequest.newBuilder()
                    .setPodSandboxId(sandboxId)
                    .setSandboxConfig(sandbox)
                    .setConfig(
                        ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("app"))
                            .setImage(ImageSpec.newBuilder().setImage(BusyboxImage.REFERENCE))
                            .addAllCommand(List.of("sh", "-c", "while true; do sleep 1; done"))
                            .setLogPath("app/0.log")
                            .putAllLabels(labels)
                            .putLabels(CriLabels.CONTAINER_NAME, "app")
                            .putAnnotations(CriLabels.RESTART_COUNT, "0"))
                    .build())
            .getContainerId();
    cri.runtime()
        .startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
  }

  @AfterAll
  static void tearDown() throws Exception {
    try {
      if (cri != null && sandboxId != null) {
        cri.runtime(60)
            .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
        cri.runtime(60)
            .removePodSandbox(
                RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
      }
      if (cri != null) {
        cri.close();
      }
      if (containerd != null) {
        containerd.close();
      }
    } finally {
      namespaces.close();
      if (dataDir != null) {
        new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
      }
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
