package dev.skiff.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skiff.kubelet.node.NodeHealth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostPrerequisitesTest {
  @TempDir Path dir;
  private Path bin;
  private Path cni;
  private Path debian;
  private final List<List<String>> installs = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    cni = Files.createDirectories(dir.resolve("cni"));
    debian = dir.resolve("debian_version");
  }

  private static void executable(Path file) throws IOException {
    Files.writeString(file, "#!/bin/sh\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void installEverything() throws IOException {
    for (String b : List.of("containerd", "runc", "iptables")) {
      executable(bin.resolve(b));
    }
    for (String p : HostPrerequisites.CNI_PLUGINS) {
      executable(cni.resolve(p));
    }
  }

  private HostPrerequisites prerequisites(boolean root) {
    return new HostPrerequisites(
        List.of(bin),
        cni,
        root,
        debian,
        command -> {
          installs.add(command);
          try {
            installEverything();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return 0;
        });
  }

  @Test
  void everythingPresentIsSatisfiedAndHealthy() throws IOException {
    installEverything();

    HostPrerequisites.Result result = prerequisites(false).check();

    assertThat(result.satisfied()).isTrue();
    assertThat(result.message()).isNull();
    assertThat(result.nodeHealth()).isEqualTo(NodeHealth.HEALTHY);
  }

  @Test
  void missingPiecesAreNamedWithTheInstallCommand() throws IOException {
    executable(bin.resolve("runc"));
    executable(cni.resolve("bridge"));
    executable(cni.resolve("loopback"));
    Files.writeString(cni.resolve("portmap"), "not executable");

    HostPrerequisites.Result result = prerequisites(false).ensure();

    assertThat(result.missing())
        .containsExactly("containerd", "iptables", "CNI plugins host-local, portmap in " + cni);
    assertThat(result.message())
        .isEqualTo(
            "container runtime prerequisites missing: containerd; iptables; CNI plugins"
                + " host-local, portmap in "
                + cni
                + "; install them with: apt-get install -y containerd runc"
                + " containernetworking-plugins iptables");
    NodeHealth health = result.nodeHealth();
    assertThat(health.ready()).isFalse();
    assertThat(health.notReadyMessage()).isEqualTo(result.message());
    assertThat(installs).isEmpty();
  }

  @Test
  void rootOnDebianInstallsWithAptGet() throws IOException {
    Files.writeString(debian, "12.0\n");

    HostPrerequisites.Result result = prerequisites(true).ensure();

    assertThat(installs)
        .containsExactly(
            List.of(
                "apt-get",
                "install",
                "-y",
                "containerd",
                "runc",
                "containernetworking-plugins",
                "iptables"));
    assertThat(result.satisfied()).isTrue();
    assertThat(result.installAttempted()).isTrue();
  }

  @Test
  void rootOutsideDebianOrNonRootOnDebianDoesNotInstall() throws IOException {
    assertThat(prerequisites(true).canInstall()).isFalse();
    assertThat(prerequisites(true).ensure().satisfied()).isFalse();
    Files.writeString(debian, "12.0\n");
    assertThat(prerequisites(false).canInstall()).isFalse();
    assertThat(prerequisites(false).ensure().satisfied()).isFalse();
    assertThat(installs).isEmpty();
  }

  @Test
  void aFailedInstallUpdatesThePackageListsOnceAndReportsWhatIsStillMissing() throws IOException {
    Files.writeString(debian, "12.0\n");
    HostPrerequisites failing =
        new HostPrerequisites(
            List.of(bin),
            cni,
            true,
            debian,
            command -> {
              installs.add(command);
              return 100;
            });

    HostPrerequisites.Result result = failing.ensure();

    assertThat(installs).hasSize(3);
    assertThat(installs.get(1)).containsExactly("apt-get", "update");
    assertThat(result.satisfied()).isFalse();
    assertThat(result.message()).contains("(apt-get failed)").contains("apt-get install -y");
  }
}
