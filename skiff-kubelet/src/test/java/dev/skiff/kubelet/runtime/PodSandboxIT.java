package dev.skiff.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.PodSandboxConfig;
import dev.skiff.kubelet.cri.v1.PodSandboxMetadata;
import dev.skiff.kubelet.cri.v1.PodSandboxStatusRequest;
import dev.skiff.kubelet.cri.v1.RemovePodSandboxRequest;
import dev.skiff.kubelet.cri.v1.RunPodSandboxRequest;
import dev.skiff.kubelet.cri.v1.StopPodSandboxRequest;
import dev.skiff.kubelet.image.ImageImporter;
import dev.skiff.kubelet.image.PauseImage;
import dev.skiff.kubelet.network.Cidr;
import dev.skiff.kubelet.network.CniConfig;
import dev.skiff.kubelet.network.HostCommands;
import dev.skiff.kubelet.network.TestNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated containerd configuration and the CNI configuration together: a pod sandbox (the
 * project's own pause image, imported for the chosen snapshotter) runs and gets an address from the
 * node's podCIDR that the node reaches.
 */
class PodSandboxIT {
  private static final String POD_CIDR = "10.42.8.0/24";
  private static final TestNamespaces namespaces = new TestNamespaces();
  private static Path dataDir;
  private static HostCommands node;
  private static ContainerdSupervisor supervisor;
  private static CriClient cri;
  private static String sandboxId;

  @BeforeAll
  static void startContainerd() throws Exception {
    dataDir = Files.createTempDirectory("skiff-sbx-");
    node = namespaces.create("sbx");
    ContainerdOptions options = ContainerdOptions.defaults(dataDir).withNetns(node.netns());
    CniConfig.write(options.cniConfDir(), POD_CIDR, dataDir.resolve("agent/cni/networks"));
    supervisor = new ContainerdSupervisor(options).start();
    Path pause = PauseImage.write(dataDir.resolve("pause.tar")).file();
    new ImageImporter("ctr", supervisor.snapshotter(), Duration.ofMinutes(2))
        .importArchive(pause, options.socket().toString());
    cri = CriClient.connect(supervisor.endpoint());
  }

  @AfterAll
  static void stopContainerd() throws Exception {
    try {
      if (sandboxId != null) {
        cri.runtime()
            .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
        cri.runtime()
            .removePodSandbox(
                RemovePodSandboxRequest.newBuilder().setPodSandboxId(sandboxId).build());
      }
    } finally {
      if (cri != null) {
        cri.close();
      }
      if (supervisor != null) {
        supervisor.close();
      }
      namespaces.close();
      new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
    }
  }

  @Test
  void aSandboxRunsWithAnAddressFromThePodCidr() {
    PodSandboxConfig config =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder()
                    .setName("sandbox-it")
                    .setNamespace("default")
                    .setUid("4b1c6f9e-sandbox-it")
                    .build())
            .setHostname("sandbox-it")
            .setLogDirectory(dataDir.resolve("pods/sandbox-it").toString())
            .build();

    sandboxId =
        cri.runtime(120)
            .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())
            .getPodSandboxId();

    var status =
        cri.runtime()
            .podSandboxStatus(
                PodSandboxStatusRequest.newBuilder().setPodSandboxId(sandboxId).build())
            .getStatus();
    assertThat(status.getState().name()).isEqualTo("SANDBOX_READY");
    String ip = status.getNetwork().getIp();
    assertThat(Cidr.parse(POD_CIDR).contains(ip)).as("pod IP %s", ip).isTrue();
    assertThat(TestNamespaces.ping(node, ip)).isTrue();
  }
}
