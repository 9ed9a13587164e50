package dev.skiff.kubelet.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.ContainerConfig;
import dev.skiff.kubelet.cri.v1.ContainerMetadata;
import dev.skiff.kubelet.cri.v1.ContainerState;
import dev.skiff.kubelet.cri.v1.ContainerStatus;
import dev.skiff.kubelet.cri.v1.ContainerStatusRequest;
import dev.skiff.kubelet.cri.v1.CreateContainerRequest;
import dev.skiff.kubelet.cri.v1.ImageSpec;
import dev.skiff.kubelet.cri.v1.ImageStatusRequest;
import dev.skiff.kubelet.cri.v1.LinuxPodSandboxConfig;
import dev.skiff.kubelet.cri.v1.LinuxSandboxSecurityContext;
import dev.skiff.kubelet.cri.v1.NamespaceMode;
import dev.skiff.kubelet.cri.v1.NamespaceOption;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import dev.skiff.kubelet.cri.v1.PodSandboxState;
import dev.skiff.kubelet.cri.v1.PodSandboxStatusRequest;
import dev.skiff.kubelet.cri.v1.RemovePodSandboxRequest;
import dev.skiff.kubelet.cri.v1.RunPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.StartContainerRequest;
import dev.skiff.kubelet.cri.v1.StopContainerRequest;
import dev.skiff.kubelet.cri.v1.StopPodSandboxRequest;
import dev.skiff.testing.node.NetnsCluster;
import dev.skiff.testing.node.TestImages;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The images Skiff builds work end to end: a containerd in a node namespace imports them through
 * ctr, CRI sees them at once, and a hostNetwork pod on the pause image runs a busybox container
 * whose output lands in its CRI log file.
 */
class ImageImporterIT {
  private static NetnsCluster cluster;
  private static String socket;
  private static CriClient cri;
  private static final ImageImporter importer = new ImageImporter();

  @BeforeAll
  static void startContainerd() throws Exception {
    cluster = NetnsCluster.create(1);
    Path dir = cluster.workDir().resolve("containerd");
    Files.createDirectories(dir.resolve("cni"));
    socket = dir.resolve("containerd.sock").toString();
    Path config =
        Files.writeString(
            dir.resolve("config.toml"),
            """
            version = 2
            root = "%1$s/root"
            state = "%1$s/state"
            [grpc]
              address = "%1$s/containerd.sock"
            [plugins."io.containerd.grpc.v1.cri"]
              sandbox_image = "%2$s"
              restrict_oom_score_adj = true
              [plugins."io.containerd.grpc.v1.cri".cni]
                bin_dir = "/usr/lib/cni"
                conf_dir = "%1$s/cni"
            """
                .formatted(dir, PauseImage.REFERENCE));
    cluster.node(1).start("containerd", List.of("containerd", "--config", config.toString()));
    cri = CriClient.connect("unix://" + socket);
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> cri.version().getRuntimeName().equals("containerd"));
  }

  @AfterAll
  static void stop() {
    if (cri != null) {
      cri.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static boolean criHas(String image) {
    return cri.images()
        .imageStatus(
            ImageStatusRequest.newBuilder()
                .setImage(ImageSpec.newBuilder().setImage(image))
                .build())
        .hasImage();
  }

  @Test
  void importedImagesRunAHostNetworkPod() throws Exception {
    if (importer.list(socket).contains(PauseImage.REFERENCE)) {
      importer.remove(socket, List.of(PauseImage.REFERENCE));
    }
    assertThat(importer.ensurePauseImage(socket)).isTrue();
    assertThat(importer.ensurePauseImage(socket)).isFalse();
    assertThat(importer.importArchive(TestImages.busybox(), socket))
        .containsExactly(BusyboxImage.REFERENCE);
    assertThat(importer.list(socket)).contains(PauseImage.REFERENCE, BusyboxImage.REFERENCE);
    assertThat(criHas(BusyboxImage.REFERENCE)).isTrue();
    assertThat(criHas(PauseImage.REFERENCE)).isTrue();

    Path logs = cluster.workDir().resolve("pods/uid-1");
    Files.createDirectories(logs);
    PodSandboxConfig sandbox =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder()
                    .setName("echo")
                    .setNamespace("default")
                    .setUid("uid-1"))
            // like the kubelet, no hostname for a pod on the node's network (runc refuses it)
            .setLogDirectory(logs.toString())
            .setLinux(
                LinuxPodSandboxConfig.newBuilder()
                    .setSecurityContext(
                        LinuxSandboxSecurityContext.newBuilder()
                            .setNamespaceOptions(
                                NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE))))
            .build();
    String sandboxId =
        cri.runtime(60)
            .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(sandbox).build())
            .getPodSandboxId();
    String containerId =
        cri.runtime()
            .createContainer(
                CreateContainerRequest.newBuilder()
                    .setPodSandboxId(sandboxId)
                    .setSandboxConfig(sandbox)
                    .setConfig(
                        ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("echo"))
                            .setImage(ImageSpec.newBuilder().setImage(BusyboxImage.REFERENCE))
                            .addCommand("sh")
                            .addArgs("-c")
                            .addArgs("echo hello from busybox; head -1 /etc/passwd; id -u")
                            .setLogPath("echo/0.log"))
                    .build())
            .getContainerId();
    cri.runtime()
        .startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status(containerId).getState() == ContainerState.CONTAINER_EXITED);
    assertThat(status(containerId).getExitCode()).isZero();
    String log = Files.readString(logs.resolve("echo/0.log"));
    assertThat(log)
        .contains(" stdout F hello from busybox")
        .contains(" stdout F root:x:0:0:root:/root:/bin/sh")
        .contains(" stdout F 0");

    // the pause image's entrypoint, run as a container, exits 0 on SIGTERM (137 would mean the
    // runtime had to SIGKILL it after the grace period)
    String pauseId =
        cri.runtime()
            .createContainer(
                CreateContainerRequest.newBuilder()
                    .setPodSandboxId(sandboxId)
                    .setSandboxConfig(sandbox)
                    .setConfig(
                        ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName("sleeper"))
                            .setImage(ImageSpec.newBuilder().setImage(PauseImage.REFERENCE))
                            .setLogPath("sleeper/0.log"))
                    .build())
            .getContainerId();
    cri.runtime()
        .startContainer(StartContainerRequest.newBuilder().setContainerId(pauseId).build());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status(pauseId).getState() == ContainerState.CONTAINER_RUNNING);
    cri.runtime(90)
        .stopContainer(
            StopContainerRequest.newBuilder().setContainerId(pauseId).setTimeout(60).build());
    assertThat(status(pauseId).getState()).isEqualTo(ContainerState.CONTAINER_EXITED);
    assertThat(status(pauseId).getExitCode()).isZero();

    cri.runtime(60)
        .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
    assertThat(
            cri.runtime()
                .podSandboxStatus(
                    PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).build())
                .getStatus()
                .getState())
        .isEqualTo(PodSandboxState.SANDBOX_NOTREADY);
    cri.runtime()
        .removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
  }

  @Test
  void directoryImportReadsGzippedArchivesAndRemoveReportsUnknownNames() throws Exception {
    Path images = cluster.workDir().resolve("agent-images");
    Files.createDirectories(images);
    try (InputStream in = Files.newInputStream(TestImages.pause());
        OutputStream out =
            new GZIPOutputStream(Files.newOutputStream(images.resolve("pause.tar.gz")))) {
      in.transferTo(out);
    }
    Files.writeString(images.resolve("notes.txt"), "not an image");
    if (importer.list(socket).contains(PauseImage.REFERENCE)) {
      importer.remove(socket, List.of(PauseImage.REFERENCE));
    }
    assertThat(importer.list(socket)).doesNotContain(PauseImage.REFERENCE);

    assertThat(importer.importDirectory(images, socket)).containsExactly(PauseImage.REFERENCE);
    assertThat(criHas(PauseImage.REFERENCE)).isTrue();
    assertThat(importer.importDirectory(cluster.workDir().resolve("missing"), socket)).isEmpty();

    assertThatThrownBy(
            () -> importer.remove(socket, List.of("skiff.local/none:1", PauseImage.REFERENCE)))
        .isInstanceOf(ImageStoreException.class)
        .hasMessage("image not found: skiff.local/none:1");
    assertThat(importer.list(socket)).doesNotContain(PauseImage.REFERENCE);

    Files.writeString(images.resolve("broken.tar"), "garbage");
    assertThatThrownBy(() -> importer.importDirectory(images, socket))
        .isInstanceOf(ImageStoreException.class)
        .hasMessageContaining("broken.tar");
    // the good archive next to the broken one was still imported
    assertThat(importer.list(socket)).contains(PauseImage.REFERENCE);
  }

  private static ContainerStatus status(String containerId) {
    return cri.runtime()
        .containerStatus(ContainerStatusRequest.newBuilder().setContainerId(containerId).build())
        .getStatus();
  }
}
