package dev.skiff.testing.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Namespaces, veths and processes of a two-node cluster, and that close removes all of them. */
class NetnsClusterIT {

  @Test
  void nodesReachEachOtherButNotTheOutside() {
    try (NetnsCluster cluster = NetnsCluster.create(2)) {
      NetnsCluster.Node n1 = cluster.node(1);
      NetnsCluster.Node n2 = cluster.node(2);

      assertThat(n1.namespace()).isEqualTo("skiff-" + cluster.runId() + "-n1");
      assertThat(n1.address()).matches("172\\.31\\.\\d+\\.1");
      assertThat(n1.execOrThrow("ip", "-4", "addr", "show", "eth0")).contains(n1.address() + "/24");
      assertThat(n1.execOrThrow("ip", "route")).doesNotContain("default");
      assertThat(n1.exec("busybox", "ping", "-c", "1", "-W", "5", n2.address()).exitCode())
          .isZero();
      assertThat(n2.exec("busybox", "ping", "-c", "1", "-W", "5", "127.0.0.1").exitCode()).isZero();
      assertThat(n1.exec("busybox", "ping", "-c", "1", "-W", "1", "8.8.8.8").exitCode())
          .isNotZero();
    }
  }

  @Test
  void closeStopsProcessesAndDeletesNamespacesAndWorkDir() throws Exception {
    NetnsCluster cluster = NetnsCluster.create(1);
    NetnsCluster.Node node = cluster.node(1);
    Process sleeper = node.start("sleeper", List.of("sh", "-c", "echo started; exec sleep 600"));
    Path workDir = cluster.workDir();
    Files.createDirectories(workDir.resolve("mnt"));
    assertThat(
            NetnsCluster.run(
                    List.of("mount", "-t", "tmpfs", "tmpfs", workDir.resolve("mnt").toString()))
                .exitCode())
        .isZero();
    // a daemonised process (like a containerd shim) with a child in another network namespace
    node.execOrThrow(
        "sh", "-c", "setsid sh -c 'unshare --net sleep 602 & sleep 602' >/dev/null 2>&1 &");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.allProcesses().filter(NetnsClusterIT::strayed).count() == 2);
    // the process sees the node's network, not the host's
    assertThat(node.execOrThrow("cat", "/proc/net/dev")).contains("eth0");

    cluster.close();

    assertThat(sleeper.isAlive()).isFalse();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ProcessHandle.allProcesses().noneMatch(NetnsClusterIT::strayed));
    assertThat(Path.of("/run/netns", node.namespace())).doesNotExist();
    assertThat(Path.of("/run/netns", cluster.bridgeNamespace())).doesNotExist();
    assertThat(Files.readString(Path.of("/proc/self/mountinfo")))
        .doesNotContain(workDir.toString());
    assertThat(workDir).doesNotExist();
    cluster.close(); // twice is fine
  }

  @Test
  void namespacesOfADeadRunAreRemovedByTheNextCluster() throws Exception {
    String stale = "skiff-0badc0de-n1";
    Files.createDirectories(Path.of("/run/skiff-netns"));
    // an owner that cannot be alive: pid 1 with a start time it never had
    Files.writeString(Path.of("/run/skiff-netns/0badc0de"), "1 1970-01-01T00:00:00Z");
    assertThat(NetnsCluster.run(List.of("ip", "netns", "add", stale)).exitCode()).isZero();

    try (NetnsCluster cluster = NetnsCluster.create(1)) {
      assertThat(Path.of("/run/netns", stale)).doesNotExist();
      assertThat(Path.of("/run/skiff-netns/0badc0de")).doesNotExist();
      assertThat(Path.of("/run/netns", cluster.node(1).namespace())).exists();
      assertThat(Path.of("/run/skiff-netns", cluster.runId())).exists();
    }
  }

  private static boolean strayed(ProcessHandle process) {
    return process.info().commandLine().orElse("").matches("(/usr/bin/)?sleep 602");
  }
}
