package dev.skiff.kubelet.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.CriLabels;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.LinuxContainerConfig;
import dev.skiff.kubelet.cri.v1.LinuxContainerResources;
import dev.skiff.kubelet.cri.v1.LinuxPodSandboxConfig;
import dev.skiff.kubelet.cri.v1.LinuxSandboxSecurityContext;
import dev.skiff.kubelet.cri.v1.ListContainersRequest;
import dev.skiff.kubelet.cri.v1.ListPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.Mount;
import dev.skiff.kubelet.cri.v1.NamespaceMode;
import dev.skiff.kubelet.cri.v1.NamespaceOption;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import dev.skiff.kubelet.image.BusyboxImage;
import dev.skiff.kubelet.image.ImageImporter;
import dev.skiff.kubelet.image.StaticBusybox;
import dev.skiff.kubelet.network.HostCommands;
import dev.skiff.kubelet.network.TestNamespaces;
import dev.skiff.kubelet.runtime.ContainerdOptions;
import dev.skiff.kubelet.runtime.ContainerdSupervisor;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pod sync against a real containerd 1.6 (in a network namespace of its own, pods on that
 * namespace's network): init containers, exit codes, termination messages, CrashLoopBackOff,
 * OOMKilled, graceful stop and removal, as containerd reports them through CRI.
 */
class PodSyncContainerdIT {
  private static final String USER_IMAGE = "skiff.local/busybox-user:";
  private static final TestNamespaces namespaces = new TestNamespaces();
  private static Path dataDir;
  private static ContainerdSupervisor containerd;
  private static CriClient cri;
  private static PodTestFakes.FakePodApi api;
  private static PodTestFakes.RecordingEvents events;
  private static CriPodSyncer syncer;

  @BeforeAll
  static void startContainerd() throws Exception {
    dataDir = Files.createTempDirectory("skiff-podsync-");
    Files.createDirectories(dataDir.resolve("agent"));
    HostCommands netns = namespaces.create("podsync");
    ContainerdOptions options = ContainerdOptions.defaults(dataDir).withNetns(netns.netns());
    containerd = new ContainerdSupervisor(options).start();
    String socket = options.socket().toString();
    ImageImporter images = new ImageImporter();
    images.ensurePauseImage(socket);
    images.importArchive(BusyboxImage.write(dataDir.resolve("busybox.tar")).file(), socket);
    for (String user : List.of("65534", "nobody")) {
      images.importArchive(
          BusyboxImage.builder(StaticBusybox.DEFAULT_PATH, USER_IMAGE + user)
              .user(user)
              .writeTo(dataDir.resolve("busybox-" + user + ".tar"))
              .file(),
          socket);
    }
    cri = CriClient.connect(containerd.endpoint());
    api = new PodTestFakes.FakePodApi();
    events = new PodTestFakes.RecordingEvents();
    syncer =
        new CriPodSyncer(
            new CriPodSyncer.Dependencies(
                cri,
                new HostNetworkConfig(dataDir),
                new PodTestFakes.FakeProbes(),
                new PodTestFakes.FakeHooks(),
                events,
                api,
                new PullSecrets((ns, name) -> null),
                InstantSource.system(),
                List.of("10.0.0.1"),
                "containerd",
                Duration.ofSeconds(30)),
            uid -> {});
  }

  @AfterAll
  static void stopContainerd() throws Exception {
    try {
      if (cri != null) {
        try {
          for (var s :
              cri.runtime()
                  .listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                  .getItemsList()) {
            syncer.removeOrphan(s.getLabelsOrDefault(CriLabels.POD_UID, ""));
          }
        } finally {
          cri.close();
        }
      }
    } finally {
      try {
        if (containerd != null) {
          containerd.close();
        }
      } finally {
        namespaces.close();
        new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
      }
    }
  }

  /** Host-network sandboxes and busybox containers running the pod's command. */
  static final class HostNetworkConfig implements PodRuntimeConfig {
    private final Path dir;

    HostNetworkConfig(Path dir) {
      this.dir = dir;
    }

    @Override
    public PodSandboxConfig sandboxConfig(Pod pod, int attempt) {
      var m = pod.getMetadata();
      return PodSandboxConfig.newBuilder()
          .setMetadata(
              PodSandboxMetadata.newBuilder()
                  .setName(m.getName())
                  .setNamespace(m.getNamespace())
                  .setUid(m.getUid())
                  .setAttempt(attempt))
          .setLogDirectory(dir.resolve("pods").resolve(m.getUid()).toString())
          .setLinux(
              LinuxPodSandboxConfig.newBuilder()
                  .setSecurityContext(
                      LinuxSandboxSecurityContext.newBuilder()
                          .setNamespaceOptions(
                              NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE))))
          .build();
    }

    @Override
    public void setUpVolumes(Pod pod) {}

    @Override
    public ContainerConfig containerConfig(
        Pod pod, Container container, PodSandboxConfig sandbox, String podIp, int restartCount) {
      Path messages = dir.resolve("pods").resolve(pod.getMetadata().getUid()).resolve("messages");
      Path file = messages.resolve(container.getName() + "-" + restartCount);
      try {
        Files.createDirectories(messages);
        Files.deleteIfExists(file);
        Files.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      List<String> command = new ArrayList<>();
      if (container.getCommand() != null) {
        command.addAll(container.getCommand());
      }
      LinuxContainerResources.Builder resources = LinuxContainerResources.newBuilder();
      if (container.getResources() != null && container.getResources().getLimits() != null) {
        Quantity memory = container.getResources().getLimits().get("memory");
        if (memory != null) {
          long bytes = memory.getNumericalAmount().longValue();
          resources.setMemoryLimitInBytes(bytes).setMemorySwapLimitInBytes(bytes);
        }
      }
      return ContainerConfig.newBuilder()
          .setMetadata(
              ContainerMetadata.newBuilder().setName(container.getName()).setAttempt(restartCount))
          .setImage(ImageSpec.newBuilder().setImage(container.getImage()))
          .addAllCommand(command)
          .setLogPath(container.getName() + "/" + restartCount + ".log")
          .addMounts(
              Mount.newBuilder()
                  .setContainerPath("/dev/termination-log")
                  .setHostPath(file.toString()))
          .setLinux(LinuxContainerConfig.newBuilder().setResources(resources))
          .build();
    }

    @Override
    public void tearDown(String podUid) {}
  }

  private static Pod pod(
      String uid, String restartPolicy, List<Container> init, List<Container> containers) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(uid)
        .withNamespace("default")
        .withUid(uid)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy(restartPolicy)
        .withHostNetwork(true)
        .withTerminationGracePeriodSeconds(2L)
        .withInitContainers(init)
        .withContainers(containers)
        .endSpec()
        .build();
  }

  private static Container busybox(String name, String script) {
    return new io.fabric8.kubernetes.api.model.ContainerBuilder()
        .withName(name)
        .withImage(BusyboxImage.REFERENCE)
        .withImagePullPolicy("Never")
        .withCommand("sh", "-c", script)
        .build();
  }

  /** Syncs the pod until its last written status satisfies the condition. */
  private static PodStatus syncUntil(Pod pod, Predicate<PodStatus> condition) {
    PodStatus[] last = new PodStatus[1];
    try {
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                syncer.syncPod(pod);
                last[0] = api.statuses.isEmpty() ? null : api.last();
                return last[0] != null && condition.test(last[0]);
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("events " + events.events + " last status " + last[0], e);
    }
    return last[0];
  }

  private static ContainerStatus status(PodStatus status, String name) {
    List<ContainerStatus> all = new ArrayList<>(status.getContainerStatuses());
    if (status.getInitContainerStatuses() != null) {
      all.addAll(status.getInitContainerStatuses());
    }
    return all.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void initContainerThenAFailingContainerWithItsTerminationMessage() {
    Pod pod =
        pod(
            "job-uid",
            "Never",
            List.of(busybox("setup", "exit 0")),
            List.of(busybox("work", "echo -n gave up > /dev/termination-log; exit 3")));

    PodStatus status = syncUntil(pod, s -> "Failed".equals(s.getPhase()));

    assertThat(status(status, "setup").getState().getTerminated().getReason())
        .isEqualTo("Completed");
    ContainerStatus work = status(status, "work");
    assertThat(work.getState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(work.getState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(work.getState().getTerminated().getMessage()).isEqualTo("gave up");
    assertThat(work.getContainerID()).startsWith("containerd://");
    assertThat(work.getImageID()).isNotEmpty();
    assertThat(status.getPodIP()).isEqualTo("10.0.0.1");
  }

  @Test
  void crashingContainerReachesCrashLoopBackOff() {
    Pod pod = pod("crash-uid", "Always", List.of(), List.of(busybox("app", "exit 1")));

    PodStatus status =
        syncUntil(
            pod,
            s ->
                status(s, "app").getState().getWaiting() != null
                    && "CrashLoopBackOff"
                        .equals(status(s, "app").getState().getWaiting().getReason()));

    ContainerStatus app = status(status, "app");
    assertThat(app.getState().getWaiting().getMessage())
        .isEqualTo("back-off 10s restarting failed container=app pod=crash-uid_default(crash-uid)");
    assertThat(app.getRestartCount()).isEqualTo(1);
    assertThat(app.getLastState().getTerminated().getExitCode()).isEqualTo(1);
  }

  @Test
  void memoryLimitProducesOomKilled() {
    Container hog = busybox("hog", "a=xxxxxxxxxxxxxxxx; while true; do a=$a$a; done");
    hog.setResources(
        new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
            .addToLimits("memory", new Quantity("16Mi"))
            .build());
    Pod pod = pod("oom-uid", "Never", List.of(), List.of(hog));

    PodStatus status = syncUntil(pod, s -> "Failed".equals(s.getPhase()));

    assertThat(status(status, "hog").getState().getTerminated().getReason()).isEqualTo("OOMKilled");
    assertThat(status(status, "hog").getState().getTerminated().getExitCode()).isEqualTo(137);
  }

  @Test
  void runAsNonRootIsCheckedAgainstTheImagesUser() {
    Container root = busybox("app", "sleep 3600");
    Container nobody = busybox("app", "sleep 3600");
    nobody.setImage(USER_IMAGE + "65534");
    Container named = busybox("app", "sleep 3600");
    named.setImage(USER_IMAGE + "nobody");

    Pod rootPod = nonRoot(pod("nonroot-root", "Always", List.of(), List.of(root)));
    PodStatus status = syncUntil(rootPod, s -> status(s, "app").getState().getWaiting() != null);
    assertThat(status(status, "app").getState().getWaiting().getReason())
        .isEqualTo("CreateContainerConfigError");
    assertThat(status(status, "app").getState().getWaiting().getMessage())
        .isEqualTo(
            "container has runAsNonRoot and image will run as root (pod:"
                + " \"nonroot-root_default(nonroot-root)\", container: app)");

    Pod namedPod = nonRoot(pod("nonroot-named", "Always", List.of(), List.of(named)));
    status = syncUntil(namedPod, s -> status(s, "app").getState().getWaiting() != null);
    assertThat(status(status, "app").getState().getWaiting().getMessage())
        .isEqualTo(
            "container has runAsNonRoot and image has non-numeric user (nobody), cannot verify"
                + " user is non-root (pod: \"nonroot-named_default(nonroot-named)\", container:"
                + " app)");

    Pod nobodyPod = nonRoot(pod("nonroot-uid", "Always", List.of(), List.of(nobody)));
    status = syncUntil(nobodyPod, s -> "Running".equals(s.getPhase()));
    assertThat(status(status, "app").getState().getRunning()).isNotNull();

    for (Pod pod : List.of(rootPod, namedPod, nobodyPod)) {
      syncer.terminatePod(pod, Duration.ofSeconds(2));
      syncer.terminatedPod(pod, true, true);
    }
  }

  private static Pod nonRoot(Pod pod) {
    return new PodBuilder(pod)
        .editSpec()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .endSecurityContext()
        .endSpec()
        .build();
  }

  @Test
  void runningPodIsStoppedWithinItsGracePeriodAndRemoved() {
    Pod pod = pod("web-uid", "Always", List.of(), List.of(busybox("web", "sleep 3600")));
    syncUntil(pod, s -> "Running".equals(s.getPhase()));

    syncer.terminatePod(pod, Duration.ofSeconds(2));
    assertThat(status(api.last(), "web").getState().getTerminated()).isNotNull();
    assertThat(api.last().getPhase()).isEqualTo("Failed");
    assertThat(events.messages("Killing")).contains("Stopping container web");

    syncer.terminatedPod(pod, true, false);
    assertThat(
            cri.runtime()
                .listContainers(ListContainersRequest.getDefaultInstance())
                .getContainersList())
        .noneMatch(c -> "web-uid".equals(c.getLabelsOrDefault(CriLabels.POD_UID, "")));
    assertThat(api.confirmed).contains("default/web-uid/web-uid");
  }
}
