package dev.skiff.kubelet.network;

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
import dev.skiff.kubelet.runtime.ContainerdOptions;
import dev.skiff.kubelet.runtime.ContainerdSupervisor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * For ITs against real containerd: a containerd of its own in a test network namespace, the pause
 * and busybox images imported, and one running pod {@code default/web} (uid {@code web-uid}, host
 * network, so no CNI) with a busybox container {@code app} running the given shell script, its log
 * at {@code app/0.log}. {@link #close} removes the pod, stops containerd and deletes the data
 * directory; the caller closes its {@link TestNamespaces}.
 */
public final class BusyboxPod implements AutoCloseable {
  public static final String NAMESPACE = "default";
  public static final String NAME = "web";
  public static final String UID = "web-uid";
  public static final String CONTAINER = "app";

  private final Path dataDir;
  private final HostCommands netns;
  private final ContainerdSupervisor containerd;
  private final CriClient cri;
  private final String sandboxId;
  private final String containerId;

  private BusyboxPod(
      Path dataDir,
      HostCommands netns,
      ContainerdSupervisor containerd,
      CriClient cri,
      String sandboxId,
      String containerId) {
    this.dataDir = dataDir;
    this.netns = netns;
    this.containerd = containerd;
    this.cri = cri;
    this.sandboxId = sandboxId;
    this.containerId = containerId;
  }

  public static BusyboxPod start(TestNamespaces namespaces, String role, String script)
      throws Exception {
    Path dataDir = Files.createTempDirectory("skiff-" + role + "-");
    Files.createDirectories(dataDir.resolve("agent"));
    HostCommands netns = namespaces.create(role);
    ContainerdOptions options = ContainerdOptions.defaults(dataDir).withNetns(netns.netns());
    ContainerdSupervisor containerd = new ContainerdSupervisor(options).start();
    String socket = options.socket().toString();
    ImageImporter images = new ImageImporter();
    images.ensurePauseImage(socket);
    images.importArchive(BusyboxImage.write(dataDir.resolve("busybox.tar")).file(), socket);
    CriClient cri = CriClient.connect(containerd.endpoint());

    Map<String, String> labels =
        Map.of(
            CriLabels.POD_NAMESPACE, NAMESPACE,
            CriLabels.POD_NAME, NAME,
            CriLabels.POD_UID, UID);
    PodSandboxConfig sandbox =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder().setName(NAME).setNamespace(NAMESPACE).setUid(UID))
            .setLogDirectory(dataDir.resolve("pods/default_web_web-uid").toString())
            .putAllLabels(labels)
            .setLinux(
                LinuxPodSandboxConfig.newBuilder()
                    .setSecurityContext(
                        LinuxSandboxSecurityContext.newBuilder()
                            .setNamespaceOptions(
                                NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE))))
            .build();
    String sandboxId =
        cri.runtime(120)
            .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(sandbox).build())
            .getPodSandboxId();
    String containerId =
        cri.runtime(120)
            .createContainer(
                CreateContainerRequest.newBuilder()
                    .setPodSandboxId(sandboxId)
                    .setSandboxConfig(sandbox)
                    .setConfig(
                        ContainerConfig.newBuilder()
                            .setMetadata(ContainerMetadata.newBuilder().setName(CONTAINER))
                            .setImage(ImageSpec.newBuilder().setImage(BusyboxImage.REFERENCE))
                            .addAllCommand(List.of("sh", "-c", script))
                            .setLogPath(CONTAINER + "/0.log")
                            .putAllLabels(labels)
                            .putLabels(CriLabels.CONTAINER_NAME, CONTAINER)
                            .putAnnotations(CriLabels.RESTART_COUNT, "0"))
                    .build())
            .getContainerId();
    cri.runtime()
        .startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
    return new BusyboxPod(dataDir, netns, containerd, cri, sandboxId, containerId);
  }

  public Path dataDir() {
    return dataDir;
  }

  public HostCommands netns() {
    return netns;
  }

  public ContainerdSupervisor containerd() {
    return containerd;
  }

  public CriClient cri() {
    return cri;
  }

  public String sandboxId() {
    return sandboxId;
  }

  public String containerId() {
    return containerId;
  }

  @Override
  public void close() throws Exception {
    try {
      cri.runtime(60)
          .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
      cri.runtime(60)
          .removePodSandbox(
              RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
    } finally {
      cri.close();
      containerd.close();
      new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
    }
  }
}
