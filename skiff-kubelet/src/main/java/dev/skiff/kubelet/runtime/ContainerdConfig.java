package dev.skiff.kubelet.runtime;

import java.util.List;
import java.util.Map;

/**
 * Renders containerd's {@code config.toml} (version 2) for one node: root, state and socket under
 * the node's data directory; the CRI plugin with the settings this host needs (cgroups v1 through
 * cgroupfs, {@code restrict_oom_score_adj}, the local sandbox image, a loopback streaming server on
 * a random port); runc as the default runtime with its state beside containerd's; CNI and registry
 * host configuration from the agent's directories.
 */
public final class ContainerdConfig {
  /** Snapshotter plugins that only log errors on a host without their filesystems. */
  static final List<String> DISABLED_PLUGINS =
      List.of(
          "io.containerd.snapshotter.v1.aufs",
          "io.containerd.snapshotter.v1.btrfs",
          "io.containerd.snapshotter.v1.devmapper",
          "io.containerd.snapshotter.v1.zfs");

  private static final String CRI = "plugins.\"io.containerd.grpc.v1.cri\"";

  private ContainerdConfig() {}

  /**
   * @param snapshotter {@code overlayfs} or {@code native} (see {@link Snapshotters})
   * @param auths registry credentials by host, from registries.yaml
   */
  public static String render(
      ContainerdOptions options, String snapshotter, Map<String, Registries.Auth> auths) {
    StringBuilder toml = new StringBuilder();
    toml.append("# Written by skiff at every agent start; edits are overwritten.\n");
    toml.append("version = 2\n");
    line(toml, "", "root", options.rootDir().toString());
    line(toml, "", "state", options.stateDir().toString());
    toml.append("disabled_plugins = ").append(Toml.strings(DISABLED_PLUGINS)).append("\n");

    toml.append("\n[grpc]\n");
    line(toml, "  ", "address", options.socket().toString());

    toml.append("\n[plugins.\"io.containerd.internal.v1.opt\"]\n");
    line(toml, "  ", "path", options.rootDir().resolve("opt").toString());

    toml.append("\n[").append(CRI).append("]\n");
    line(toml, "  ", "sandbox_image", options.sandboxImage());
    toml.append("  restrict_oom_score_adj = true\n");
    toml.append("  enable_selinux = false\n");
    line(toml, "  ", "stream_server_address", "127.0.0.1");
    line(toml, "  ", "stream_server_port", "0");

    toml.append("\n[").append(CRI).append(".containerd]\n");
    line(toml, "  ", "snapshotter", snapshotter);
    line(toml, "  ", "default_runtime_name", "runc");

    toml.append("\n[").append(CRI).append(".containerd.runtimes.runc]\n");
    line(toml, "  ", "runtime_type", "io.containerd.runc.v2");

    toml.append("\n[").append(CRI).append(".containerd.runtimes.runc.options]\n");
    toml.append("  SystemdCgroup = false\n");
    line(toml, "  ", "Root", options.stateDir().resolve("runc").toString());

    toml.append("\n[").append(CRI).append(".cni]\n");
    line(toml, "  ", "bin_dir", options.cniBinDir().toString());
    line(toml, "  ", "conf_dir", options.cniConfDir().toString());

    toml.append("\n[").append(CRI).append(".registry]\n");
    line(toml, "  ", "config_path", options.certsDir().toString());

    for (var auth : auths.entrySet()) {
      toml.append("\n[")
          .append(CRI)
          .append(".registry.configs.")
          .append(Toml.string(auth.getKey()))
          .append(".auth]\n");
      Registries.Auth a = auth.getValue();
      optional(toml, "username", a.username());
      optional(toml, "password", a.password());
      optional(toml, "auth", a.auth());
      optional(toml, "identitytoken", a.identityToken());
    }
    return toml.toString();
  }

  private static void optional(StringBuilder toml, String key, String value) {
    if (value != null) {
      line(toml, "  ", key, value);
    }
  }

  private static void line(StringBuilder toml, String indent, String key, String value) {
    toml.append(indent).append(key).append(" = ").append(Toml.string(value)).append('\n');
  }
}
