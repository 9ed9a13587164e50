package dev.skiff.kubelet.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerdConfigTest {
  private static final ContainerdOptions OPTIONS =
      ContainerdOptions.defaults(Path.of("/var/lib/skiff"));

  @Test
  void rendersTheNodesContainerdConfiguration() throws IOException {
    RegistryHosts hosts =
        RegistryHosts.translate(Registries.parse(RegistryHostsTest.resource("registries.yaml")));

    String toml = ContainerdConfig.render(OPTIONS, Snapshotters.OVERLAYFS, hosts.auths());

    assertThat(toml).isEqualTo(RegistryHostsTest.resource("config.toml"));
  }

  @Test
  void everythingContainerdWritesIsUnderTheNodesDataDirectory() {
    String toml =
        ContainerdConfig.render(
            ContainerdOptions.defaults(Path.of("/srv/node-b")), Snapshotters.NATIVE, Map.of());

    assertThat(toml)
        .contains("root = \"/srv/node-b/agent/containerd/root\"")
        .contains("state = \"/srv/node-b/agent/containerd/state\"")
        .contains("address = \"/srv/node-b/agent/containerd/containerd.sock\"")
        .contains("Root = \"/srv/node-b/agent/containerd/state/runc\"")
        .contains("snapshotter = \"native\"")
        .doesNotContain("registry.configs");
  }

  @Test
  void theSandboxImageAndCniBinDirectoryAreOptions() {
    String toml =
        ContainerdConfig.render(
            OPTIONS.withSandboxImage("example/pause:1").withCniBinDir(Path.of("/opt/cni/bin")),
            Snapshotters.OVERLAYFS,
            Map.of());

    assertThat(toml)
        .contains("sandbox_image = \"example/pause:1\"")
        .contains("bin_dir = \"/opt/cni/bin\"");
  }

  @Test
  void theEndpointIsTheSocketUnlessAnExistingRuntimeIsGiven() {
    assertThat(new ContainerdSupervisor(OPTIONS).endpoint())
        .isEqualTo("unix:///var/lib/skiff/agent/containerd/containerd.sock");
    ContainerdOptions external =
        OPTIONS.withExistingEndpoint("unix:///run/containerd/containerd.sock");
    try (ContainerdSupervisor supervisor = new ContainerdSupervisor(external).start()) {
      assertThat(supervisor.endpoint()).isEqualTo("unix:///run/containerd/containerd.sock");
      assertThat(supervisor.pid()).isEmpty();
    }
  }
}
