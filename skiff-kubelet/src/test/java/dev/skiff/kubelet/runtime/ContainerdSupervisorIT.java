package dev.skiff.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skiff.kubelet.cri.CriClient;
import dev.skiff.kubelet.cri.v1.VersionResponse;
import dev.skiff.kubelet.network.HostCommands;
import dev.skiff.kubelet.network.TestNamespaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** A real containerd from a temporary data directory, inside a network namespace of its own. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdSupervisorIT {
  private static final TestNamespaces namespaces = new TestNamespaces();
  private static Path dataDir;
  private static HostCommands netns;
  private static ContainerdSupervisor supervisor;

  @BeforeAll
  static void startContainerd() throws Exception {
    dataDir = Files.createTempDirectory("skiff-ctrd-");
    Files.createDirectories(dataDir.resolve("agent"));
    Files.writeString(
        dataDir.resolve("agent/registries.yaml"),
        "mirrors:\n  docker.io:\n    endpoint: [\"http://127.0.0.1:5999\"]\n");
    netns = namespaces.create("ctrd");
    supervisor =
        new ContainerdSupervisor(ContainerdOptions.defaults(dataDir).withNetns(netns.netns()))
            .start();
  }

  @AfterAll
  static void stopContainerd() throws Exception {
    try {
      if (supervisor != null) {
        supervisor.close();
      }
    } finally {
      namespaces.close();
      new ProcessBuilder("rm", "-rf", dataDir.toString()).start().waitFor();
    }
  }

  private static VersionResponse version() {
    try (CriClient cri = CriClient.connect(supervisor.endpoint())) {
      return cri.version();
    }
  }

  @Test
  @Order(1)
  void containerdAnswersCriFromTheNodesDataDirectory() {
    assertThat(supervisor.endpoint())
        .isEqualTo("unix://" + dataDir.resolve("agent/containerd/containerd.sock"));
    VersionResponse version = version();
    assertThat(version.getRuntimeName()).isEqualTo("containerd");
    assertThat(version.getRuntimeApiVersion()).isEqualTo("v1");
    assertThat(dataDir.resolve("agent/containerd/config.toml")).content().contains("version = 2");
    assertThat(dataDir.resolve("agent/containerd/certs.d/docker.io/hosts.toml"))
        .content()
        .contains("[host.\"http://127.0.0.1:5999\"]");
    assertThat(dataDir.resolve("agent/containerd/root")).isDirectory();
    assertThat(dataDir.resolve("agent/containerd/state")).isDirectory();
    assertThat(dataDir.resolve("agent/containerd/containerd.log")).isNotEmptyFile();
  }

  @Test
  @Order(2)
  void containerdRunsInTheNodesNetworkNamespace() throws Exception {
    long pid = supervisor.pid().orElseThrow();
    Object containerdNs = Files.getAttribute(Path.of("/proc/" + pid + "/ns/net"), "unix:ino");
    Object nodeNs = Files.getAttribute(netns.netns().path(), "unix:ino");
    assertThat(containerdNs).isEqualTo(nodeNs);
  }

  @Test
  @Order(3)
  void aKilledContainerdIsRestartedAndAnswersAgain() {
    long killed = supervisor.pid().orElseThrow();
    ProcessHandle.of(killed).orElseThrow().destroyForcibly();

    await()
        .atMost(Duration.ofSeconds(45))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(supervisor.pid().orElse(killed)).isNotEqualTo(killed);
              assertThat(version().getRuntimeName()).isEqualTo("containerd");
            });
    assertThat(supervisor.restarts()).isEqualTo(1);
    assertThat(dataDir.resolve("agent/containerd/containerd.log")).content().isNotEmpty();
  }

  @Test
  @Order(4)
  void closeStopsContainerd() {
    long pid = supervisor.pid().orElseThrow();
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();

    supervisor.close();

    assertThat(handle.isAlive()).isFalse();
    assertThat(supervisor.pid()).isEmpty();
  }
}
